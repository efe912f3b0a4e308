import * as React from 'react';
import type { IInputs, IOutputs } from './generated/ManifestTypes';
import { TranscriptControl, type TranscriptControlProps } from './components/TranscriptControl';
import { systemTicker, type Ticker } from './model/elapsed';
import { readIncidentId, refreshHostForm } from './model/host-context';
import { localeOf, type RepClock } from './model/locale';
import type { CaseData } from './model/ports';
import { loadStrings, type Strings } from './model/strings';
import { createCaseData } from './webapi/case-data';

/** Below this width (px) the control stacks its columns (phone layout). */
const NARROW_WIDTH = 520;
// PropertyHelper enums are not available at runtime in every host: the numbers are stable.
const PRIVILEGE_WRITE = 3 as const;
const PRIVILEGE_APPEND_TO = 8 as const;
const DEPTH_BASIC = 0 as const;

/** The props that come from the form; the others (data, strings, clock, callback) are fixed at init. */
const MEMO_FIELDS = [
  'description',
  'dir',
  'theme',
  'narrow',
  'incidentId',
  'offline',
  'readOnly',
  'canLink',
  'defaultCountry',
  'placeholderCustomerId',
  'opencxOrigin',
] as const satisfies ReadonlyArray<keyof TranscriptControlProps>;

/** Adapts the PCF context to the plain props of <TranscriptControl>; decides nothing itself. */
export class OpenCXTranscriptControl implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private data?: CaseData;
  private strings?: Strings;
  private clock?: RepClock;
  private last?: { props: TranscriptControlProps; element: React.ReactElement };
  private openForm?: (incidentId: string) => void;

  /** PCF constructs the control with no argument (the system clock); tests hand it their own clock. */
  constructor(private readonly ticker: Ticker = systemTicker) {}

  public init(context: ComponentFramework.Context<IInputs>): void {
    context.mode.trackContainerResize(true);
    this.data = createCaseData(context.webAPI);
    this.strings = loadStrings((key) => context.resources.getString(key));
    const settings = context.userSettings;
    this.clock = {
      locale: localeOf(settings.languageId),
      offsetAt: (d) => settings.getTimeZoneOffsetMinutes(d),
    };
    const navigation = context.navigation as ComponentFramework.Navigation | undefined;
    // Microsoft Learn, "openForm (Power Apps component framework API reference)": opens a record's form
    // in the host app; absent in hosts without navigation, where the case link's address is used.
    if (typeof navigation?.openForm === 'function')
      this.openForm = (entityId) =>
        void navigation.openForm({ entityName: 'incident', entityId }).then(undefined, () => undefined);
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const p = context.parameters;
    const width = context.mode.allocatedWidth;
    const props: TranscriptControlProps = {
      description: p.transcript.raw ?? '',
      strings: this.strings!,
      clock: this.clock!,
      dir: context.userSettings.isRTL ? 'rtl' : 'ltr',
      // The host's Fluent theme is typed loosely by PCF; it is a Fluent v9 theme object.
      theme: context.fluentDesignLanguage?.tokenTheme as TranscriptControlProps['theme'],
      narrow: width > 0 && width < NARROW_WIDTH,
      incidentId: readIncidentId(context.mode, p.incidentId?.raw),
      offline: context.client.isOffline(),
      readOnly: context.mode.isControlDisabled || p.transcript.security?.editable === false,
      canLink:
        context.utils.hasEntityPrivilege('incident', PRIVILEGE_WRITE, DEPTH_BASIC) &&
        context.utils.hasEntityPrivilege('contact', PRIVILEGE_APPEND_TO, DEPTH_BASIC),
      defaultCountry: p.defaultCountry?.raw ?? undefined,
      placeholderCustomerId: p.placeholderCustomerId?.raw ?? undefined,
      opencxOrigin: p.opencxOrigin?.raw ?? undefined,
      data: this.data!,
      onCustomerLinked: () => refreshHostForm(),
      ticker: this.ticker,
      onOpenCase: this.openForm,
    };
    // The form calls updateView on every resize and notification: hand React the same element when no
    // input changed, so a long transcript is not re-rendered. Compared field by field (=== on strings),
    // never by serialising the description.
    const last = this.last;
    if (last && MEMO_FIELDS.every((field) => last.props[field] === props[field])) return last.element;
    const element = React.createElement(TranscriptControl, props);
    this.last = { props, element };
    return element;
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // In-flight Web API answers are dropped by the components when they unmount.
    this.last = undefined;
  }
}
