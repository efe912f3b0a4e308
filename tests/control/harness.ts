/**
 * One typed PCF context for every control test (no per-test copies): inputs, mode, user settings,
 * client, utils and resources (read from the real resx files), and a Web API double.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { render } from '@testing-library/react';
import type { IInputs } from '../../OpenCXTranscriptControl/generated/ManifestTypes';
import { OpenCXTranscriptControl } from '../../OpenCXTranscriptControl/index';
import { manualTicker, type ManualTicker } from './manual-ticker';
import { recordingWebApi, type RecordingWebApi } from './recording-web-api';

export const CONTROL_DIR = path.join(import.meta.dirname, '../../OpenCXTranscriptControl');
export const INCIDENT_ID = '6a1f1e4e-8a55-5b0e-9d7e-3f3c1b2a9d01';

const resxCache = new Map<number, Record<string, string>>();

/** The strings of one resx file, by key. */
export function resxStrings(lcid: number): Record<string, string> {
  let strings = resxCache.get(lcid);
  if (!strings) {
    // A language the control ships no strings for reads the English ones, as the platform falls back.
    const file = path.join(CONTROL_DIR, `strings/OpenCXTranscriptControl.${lcid}.resx`);
    const xml = readFileSync(existsSync(file) ? file : file.replace(`.${lcid}.`, '.1033.'), 'utf8');
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'data' }).parse(
      xml,
    ) as {
      root: { data: { '@_name': string; value: string | number }[] };
    };
    strings = Object.fromEntries(parsed.root.data.map((d) => [d['@_name'], String(d.value)]));
    resxCache.set(lcid, strings);
  }
  return strings;
}

export interface HarnessOptions {
  description?: string | null;
  /** The form's record id; `null` for a new, unsaved case. */
  incidentId?: string | null;
  /** The optional input property used when the host has no record id. */
  incidentIdInput?: string;
  languageId?: number;
  isRTL?: boolean;
  /** Minutes added to UTC for the rep's zone (PCF's getTimeZoneOffsetMinutes), or the function itself. */
  offsetMinutes?: number | (() => number);
  offline?: boolean;
  disabled?: boolean;
  editable?: boolean;
  allocatedWidth?: number;
  canLink?: boolean;
  defaultCountry?: string;
  placeholderCustomerId?: string;
  /** The control's OpenCX address property. */
  opencxOrigin?: string;
  webAPI?: RecordingWebApi;
  /** The rep's clock; by default one standing at NOW. */
  ticker?: ManualTicker;
  /** `context.navigation.openForm`, when the host has it. */
  openForm?: (options: { entityName: string; entityId: string }) => Promise<unknown>;
}

/** Where the default test clock stands: after most fixtures' handoffs (phone-full-details: 1 h 14 min). */
export const NOW = '2026-11-24T15:20:00Z';

function textProperty(raw: string | null | undefined): ComponentFramework.PropertyTypes.StringProperty {
  return { raw: raw ?? null, formatted: raw ?? undefined } as ComponentFramework.PropertyTypes.StringProperty;
}

export function createContext(options: HarnessOptions = {}): ComponentFramework.Context<IInputs> {
  const strings = resxStrings(options.languageId ?? 1033);
  const webAPI = options.webAPI ?? recordingWebApi();
  const transcript = {
    ...textProperty(options.description ?? ''),
    security: { editable: options.editable ?? true, readable: true, secured: false },
  } as ComponentFramework.PropertyTypes.StringProperty;
  return {
    parameters: {
      transcript,
      incidentId: textProperty(options.incidentIdInput),
      defaultCountry: textProperty(options.defaultCountry),
      placeholderCustomerId: textProperty(options.placeholderCustomerId),
      opencxOrigin: textProperty(options.opencxOrigin),
    },
    mode: {
      allocatedWidth: options.allocatedWidth ?? 800,
      allocatedHeight: -1,
      isControlDisabled: options.disabled ?? false,
      isVisible: true,
      label: 'Description',
      setControlState: () => true,
      setFullScreen: () => undefined,
      trackContainerResize: () => undefined,
      contextInfo: {
        entityId: options.incidentId === null ? undefined : (options.incidentId ?? INCIDENT_ID),
        entityTypeName: 'incident',
      },
    } as unknown as ComponentFramework.Mode,
    userSettings: {
      languageId: options.languageId ?? 1033,
      isRTL: options.isRTL ?? false,
      getTimeZoneOffsetMinutes:
        typeof options.offsetMinutes === 'function'
          ? options.offsetMinutes
          : () => options.offsetMinutes ?? 0,
    } as unknown as ComponentFramework.UserSettings,
    client: { isOffline: () => options.offline ?? false } as unknown as ComponentFramework.Client,
    utils: { hasEntityPrivilege: () => options.canLink ?? true } as unknown as ComponentFramework.Utility,
    resources: { getString: (key: string) => strings[key] ?? '' } as unknown as ComponentFramework.Resources,
    webAPI: webAPI as unknown as ComponentFramework.WebApi,
    ...(options.openForm ? { navigation: { openForm: options.openForm } } : {}),
    updatedProperties: [],
  } as unknown as ComponentFramework.Context<IInputs>;
}

/** Runs the PCF lifecycle (init, updateView) and renders the element the control returns. */
export function renderControl(options: HarnessOptions = {}) {
  const webAPI = options.webAPI ?? recordingWebApi();
  const ticker = options.ticker ?? manualTicker(NOW);
  const control = new OpenCXTranscriptControl(ticker);
  let context = createContext({ ...options, webAPI });
  control.init(context);
  const result = render(control.updateView(context));
  return {
    ...result,
    control,
    webAPI,
    ticker,
    /** Calls updateView again with changed options, as the form does. */
    update(next: HarnessOptions) {
      context = createContext({ ...options, ...next, webAPI });
      const element = control.updateView(context);
      result.rerender(element);
      return element;
    },
  };
}
