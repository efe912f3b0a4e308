/**
 * A small PCF host for the preview page: it provides what a model-driven form gives a virtual control
 * (platform React and Fluent as globals, a typed-enough context, the Web API) and renders the production
 * bundle. It is not the Power Apps harness (`pcf-start` loads React from a CDN, unusable offline).
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as Fluent from '@fluentui/react-components';
import { createHttpWebApi } from './web-api.js';

interface ControlInstance {
  init(context: unknown): void;
  updateView(context: unknown): React.ReactElement;
  destroy(): void;
}
type ControlClass = new () => ControlInstance;

export interface CaseOptions {
  incidentId?: string;
  description: string;
  languageId: number;
  isRTL: boolean;
  /** Minutes added to UTC for the rep's zone. */
  offsetMinutes: number;
  theme: 'light' | 'dark' | 'high-contrast';
  offline: boolean;
  readOnly: boolean;
  defaultCountry?: string;
  placeholderCustomerId?: string;
  strings: Record<string, string>;
}

const THEMES = {
  light: Fluent.webLightTheme,
  dark: Fluent.webDarkTheme,
  'high-contrast': Fluent.teamsHighContrastTheme,
} as const;

// What the platform provides to bundles built with <platform-library> (see pcf-scripts' externals).
const globals = window as unknown as Record<string, unknown>;
globals.Reactv16 = React;
globals.ReactDOMv16 = ReactDOM;
globals.FluentUIReactv940 = Fluent;

/**
 * React 18 renders through a root (createRoot), as a React 18 host would; 16 and 17 have only the legacy
 * ReactDOM.render. flushSync makes both synchronous, so a measurement includes the first render.
 */
interface Root {
  render(element: React.ReactElement): void;
  unmount(): void;
}
const createRoot = (ReactDOM as unknown as { createRoot?: (container: Element) => Root }).createRoot;
const roots = new WeakMap<Element, Root>();

function mount(container: HTMLElement, element: React.ReactElement) {
  if (!createRoot) return ReactDOM.render(element, container);
  const root = roots.get(container) ?? createRoot(container);
  roots.set(container, root);
  ReactDOM.flushSync(() => root.render(element));
}

function unmount(container: HTMLElement) {
  const root = roots.get(container);
  if (root) root.unmount();
  else ReactDOM.unmountComponentAtNode(container);
  roots.delete(container);
}

const registered = new Map<string, ControlClass>();
globals.ComponentFramework = {
  registerControl: (name: string, control: ControlClass) => registered.set(name, control),
};

function text(raw: string | undefined) {
  return { raw: raw ?? null, formatted: raw };
}

function contextFor(options: CaseOptions, container: HTMLElement, onRefresh: () => void) {
  return {
    parameters: {
      transcript: {
        ...text(options.description),
        security: { editable: !options.readOnly, readable: true, secured: false },
      },
      incidentId: text(undefined),
      defaultCountry: text(options.defaultCountry),
      placeholderCustomerId: text(options.placeholderCustomerId),
    },
    mode: {
      allocatedWidth: container.clientWidth,
      allocatedHeight: -1,
      isControlDisabled: options.readOnly,
      isVisible: true,
      label: 'Description',
      trackContainerResize: () => undefined,
      setControlState: () => true,
      setFullScreen: () => undefined,
      contextInfo: { entityId: options.incidentId, entityTypeName: 'incident' },
    },
    userSettings: {
      languageId: options.languageId,
      isRTL: options.isRTL,
      getTimeZoneOffsetMinutes: () => options.offsetMinutes,
    },
    client: { isOffline: () => options.offline, getFormFactor: () => 1, getClient: () => 'Web' },
    utils: { hasEntityPrivilege: () => true },
    resources: { getString: (key: string) => options.strings[key] ?? '' },
    webAPI: createHttpWebApi('/api/data/v9.2/'),
    // A form opens another record in place; here that is the preview's case page (same rep settings).
    navigation: {
      openForm: (form: { entityName: string; entityId?: string }) => {
        if (form.entityName === 'incident' && form.entityId)
          location.assign(`/case/${form.entityId}${location.search}`);
        return Promise.resolve({ savedEntityReference: [] });
      },
    },
    fluentDesignLanguage: { tokenTheme: THEMES[options.theme] },
    updatedProperties: [],
    refresh: onRefresh,
  };
}

/** Renders the registered control for a case; returns the milliseconds to the first laid-out render. */
export function renderCase(container: HTMLElement, options: CaseOptions): number {
  const Control = registered.get('OpenCX.OpenCXTranscriptControl');
  if (!Control) throw new Error('The control bundle did not register OpenCX.OpenCXTranscriptControl');
  const control = new Control();
  // What a form's refresh does for the control: a new updateView with the record re-read.
  (globals as { Xrm?: unknown }).Xrm = { Page: { data: { refresh: () => Promise.resolve() } } };
  const started = performance.now();
  const context = contextFor(options, container, () => undefined);
  control.init(context);
  mount(container, control.updateView(context));
  // Reading a layout property forces style and layout now, so the figure includes them.
  void container.offsetHeight;
  const elapsed = performance.now() - started;
  return elapsed;
}

/** Renders a description into a fresh container and unmounts it: one first-render measurement. */
export function measureFirstRender(options: CaseOptions): number {
  const container = document.createElement('div');
  container.style.width = '900px';
  document.body.appendChild(container);
  const elapsed = renderCase(container, options);
  unmount(container);
  container.remove();
  return elapsed;
}

const RTL_LANGUAGES = new Set([1025, 1037]);

/** The case page: reads the case from the preview server and the rep's settings from the query. */
export async function bootCasePage(container: HTMLElement): Promise<void> {
  const query = new URLSearchParams(location.search);
  const id = location.pathname.split('/').pop() ?? '';
  const languageId = Number(query.get('lang') ?? 1033);
  const [kase, strings] = await Promise.all([
    fetch(`/preview/case/${id}.json`).then((r) => r.json() as Promise<PreviewCase>),
    fetch(`/preview/strings/${languageId}.json`).then((r) => r.json() as Promise<Record<string, string>>),
  ]);
  document.title = `${kase.title} · OpenCX preview`;
  const heading = document.getElementById('case-title');
  if (heading) heading.textContent = `${kase.ticketNumber ?? ''} ${kase.title}`.trim();
  const theme = (query.get('theme') ?? 'light') as CaseOptions['theme'];
  document.body.dataset.theme = theme;
  renderCase(container, {
    incidentId: kase.incidentId,
    description: kase.description,
    languageId,
    isRTL: RTL_LANGUAGES.has(languageId),
    offsetMinutes: Number(query.get('tz') ?? -new Date().getTimezoneOffset()),
    theme,
    offline: query.get('offline') === '1',
    readOnly: query.get('readonly') === '1',
    defaultCountry: kase.defaultCountry,
    placeholderCustomerId: kase.placeholderCustomerId,
    strings,
  });
  document.body.dataset.ready = 'true';
}

export interface PreviewCase {
  incidentId: string;
  title: string;
  ticketNumber?: string;
  description: string;
  placeholderCustomerId?: string;
  defaultCountry?: string;
}

/** The versions this page really runs, so a test can check the host got the combination it asked for. */
const versions = { react: React.version, reactDom: ReactDOM.version };

(globals as { OpenCXPreview?: unknown }).OpenCXPreview = {
  renderCase,
  measureFirstRender,
  bootCasePage,
  versions,
};
