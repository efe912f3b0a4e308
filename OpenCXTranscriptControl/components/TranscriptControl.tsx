import * as React from 'react';
import {
  FluentProvider,
  MessageBar,
  MessageBarBody,
  webLightTheme,
  type Theme,
} from '@fluentui/react-components';
import type { Ticker } from '../model/elapsed';
import { revealBidiControls } from '../model/bidi';
import type { RepClock } from '../model/locale';
import type { CaseData } from '../model/ports';
import type { Strings } from '../model/strings';
import { ErrorBoundary } from './ErrorBoundary';
import { TranscriptBody } from './TranscriptBody';

export interface TranscriptControlProps {
  /** The bound description, as stored. */
  description: string;
  strings: Strings;
  clock: RepClock;
  dir: 'ltr' | 'rtl';
  /** The host's Fluent theme (model-driven apps pass theirs); light by default. */
  theme?: Theme;
  narrow: boolean;
  incidentId?: string;
  offline: boolean;
  readOnly: boolean;
  canLink: boolean;
  defaultCountry?: string;
  placeholderCustomerId?: string;
  /** The control's OpenCX address property: the only origin "Open in OpenCX" leads to (model/session-link.ts). */
  opencxOrigin?: string;
  data: CaseData;
  onCustomerLinked: () => void;
  /** The rep's clock, for "handed off 4 minutes ago". */
  ticker: Ticker;
  /** Opens another case (one of a found contact's open cases) in the host. */
  onOpenCase?: (incidentId: string) => void;
}

/** The control: the host's theme and direction, and a plain fallback should rendering ever fail. */
export const TranscriptControl: React.FC<TranscriptControlProps> = (props) => (
  <FluentProvider theme={props.theme ?? webLightTheme} dir={props.dir}>
    <ErrorBoundary fallback={<PlainFallback text={props.description} message={props.strings.RenderError} />}>
      <TranscriptBody {...props} />
    </ErrorBoundary>
  </FluentProvider>
);

const PlainFallback: React.FC<{ text: string; message: string }> = ({ text, message }) => (
  <div>
    <MessageBar intent="warning">
      <MessageBarBody>{message}</MessageBarBody>
    </MessageBar>
    <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} dir="auto">
      {revealBidiControls(text)}
    </pre>
  </div>
);
