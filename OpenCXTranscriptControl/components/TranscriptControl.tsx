import * as React from 'react';
import {
  FluentProvider,
  MessageBar,
  MessageBarBody,
  Spinner,
  webLightTheme,
  type Theme,
} from '@fluentui/react-components';
import { parse } from '@opencx-d365/transcript-format';
import type { Ticker } from '../model/elapsed';
import { revealBidiControls } from '../model/bidi';
import { downloadFileName } from '../model/export';
import { handoffBriefOf, handoffRowOf, openingRowOf } from '../model/first-screen';
import type { FullTranscriptState } from '../model/full-transcript';
import { headerFacts } from '../model/header-facts';
import type { RepClock } from '../model/locale';
import type { CaseData } from '../model/ports';
import { findMatches, stepMatch } from '../model/search';
import { fill, type Strings } from '../model/strings';
import { callerTrust } from '../model/verification';
import { buildView, type TranscriptView } from '../model/view-model';
import { copyText, saveText } from './browser-io';
import { ErrorBoundary } from './ErrorBoundary';
import { HandoffBrief } from './HandoffBrief';
import { HeaderCard } from './HeaderCard';
import { LinkContact } from './LinkContact';
import { useControlStyles } from './styles';
import { TranscriptLog, type LogJump } from './TranscriptLog';
import { TranscriptToolbar } from './TranscriptToolbar';
import { useFullTranscript } from './useFullTranscript';

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
  data: CaseData;
  onCustomerLinked: () => void;
  /** The rep's clock, for "handed off 4 minutes ago". */
  ticker: Ticker;
  /** Opens another case (one of a found contact's open cases) in the host. */
  onOpenCase?: (incidentId: string) => void;
}

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

function fullNotice(state: FullTranscriptState, omitted: number, strings: Strings) {
  switch (state.status) {
    case 'complete':
      return undefined;
    case 'loading':
      return { intent: 'info' as const, text: strings.Full_Loading, busy: true };
    case 'loaded':
      return { intent: 'info' as const, text: fill(strings.Full_Loaded, state.subject) };
    case 'shortened': {
      const key = {
        failed: 'Full_Failed',
        missing: 'Full_Missing',
        offline: 'Full_Offline',
        unsaved: 'Full_Unsaved',
      } as const;
      return {
        intent: 'warning' as const,
        text: fill(strings[key[state.reason]], omitted, state.detail ?? ''),
      };
    }
  }
}

const TranscriptBody: React.FC<TranscriptControlProps> = (props) => {
  const { strings, clock, narrow, data } = props;
  const styles = useControlStyles();
  const described = React.useMemo(() => parse(props.description), [props.description]);
  const full = useFullTranscript(described, props.incidentId, props.offline, data);
  const parsed = React.useMemo(() => {
    if (full.status !== 'loaded') return described;
    const whole = parse(full.text);
    return whole.kind === 'transcript' || whole.kind === 'best-effort' ? whole : described;
  }, [described, full]);
  const view: TranscriptView = React.useMemo(() => buildView(parsed, clock), [parsed, clock]);
  // Copy and download give the stored text with bidi controls made visible, as the screen shows them.
  const sourceText = React.useMemo(
    () => revealBidiControls(full.status === 'loaded' ? full.text : props.description),
    [full, props.description],
  );

  const [query, setQuery] = React.useState('');
  const [currentIndex, setCurrentIndex] = React.useState(-1);
  const rows = view.kind === 'transcript' ? view.rows : undefined;
  const matches = React.useMemo(() => (rows ? findMatches(rows, query) : []), [rows, query]);
  React.useEffect(() => setCurrentIndex(matches.length ? 0 : -1), [matches]);
  const [copyStatus, setCopyStatus] = React.useState<string>();
  const [jump, setJump] = React.useState<LogJump>();
  const opening = React.useMemo(() => (rows ? openingRowOf(rows) : undefined), [rows]);
  const handoffRow = React.useMemo(() => (rows ? handoffRowOf(rows) : undefined), [rows]);

  const header = view.kind === 'transcript' ? view.header : undefined;
  const caller = view.kind === 'transcript' ? view.caller : undefined;
  // What the header card and the brief show changes with the transcript, not with each search keystroke,
  // match step or jump (it parses the caller's phone and names the language).
  const firstScreen = React.useMemo(() => {
    if (!header || !rows) return undefined;
    const trust = callerTrust(header);
    return {
      facts: headerFacts(header, strings, clock, { defaultCountry: props.defaultCountry }),
      trust,
      notices: [
        ...(trust.nothingVerified ? [strings.Verification_NoneVerified] : []),
        ...(trust.linkedByStatedEmail ? [strings.Verification_LinkedByStatedEmail] : []),
      ],
      brief: handoffBriefOf(header, rows),
    };
  }, [header, rows, strings, clock, props.defaultCountry]);
  const link = (
    <LinkContact
      strings={strings}
      data={data}
      incidentId={props.incidentId}
      offline={props.offline}
      readOnly={props.readOnly}
      canLink={props.canLink}
      callerPhone={caller?.phone}
      callerName={caller?.name}
      callerEmail={caller?.email}
      sessionId={header?.sessionId}
      defaultCountry={props.defaultCountry}
      placeholderCustomerId={props.placeholderCustomerId}
      onLinked={props.onCustomerLinked}
      onOpenCase={props.onOpenCase}
    />
  );

  if (view.kind === 'empty')
    return (
      <div className={styles.root}>
        <div className={styles.empty} role="status">
          <h2 className={styles.title}>{strings.Empty_Title}</h2>
          <p>{strings.Empty_Body}</p>
        </div>
        {link}
      </div>
    );

  if (view.kind === 'plain')
    return (
      <div className={styles.root}>
        <MessageBar intent="info">
          <MessageBarBody>{strings.Plain_Notice}</MessageBarBody>
        </MessageBar>
        <pre className={styles.plain} dir="auto">
          {view.text}
        </pre>
        {link}
      </div>
    );

  const notice = fullNotice(full, view.omittedTurns, strings);
  if (!firstScreen) return null; // unreachable: a transcript view has a header and rows
  const { facts, trust, notices: trustNotices, brief } = firstScreen;
  const lastRow = view.rows.length - 1;
  return (
    <div className={styles.root}>
      {/* The summary and the sentiment lead the brief below; the card keeps the rest of the facts. */}
      <HeaderCard
        facts={{ ...facts, summary: undefined, sentiment: undefined }}
        strings={strings}
        narrow={narrow}
        marks={trust.marks}
        collapsible={narrow}
      />
      <HandoffBrief
        brief={brief}
        sentiment={facts.sentiment}
        notices={trustNotices}
        strings={strings}
        clock={clock}
        ticker={props.ticker}
        narrow={narrow}
        onGoToRow={(index) => setJump({ index, placement: 'center' })}
      />
      {view.bestEffortSource && (
        <MessageBar intent="info">
          <MessageBarBody>{fill(strings.BestEffort_Notice, view.bestEffortSource)}</MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent={notice.intent}>
          <MessageBarBody>
            {notice.busy && (
              <Spinner size="extra-tiny" style={{ display: 'inline-flex', marginInlineEnd: 8 }} />
            )}
            {notice.text}
          </MessageBarBody>
        </MessageBar>
      )}
      <TranscriptToolbar
        strings={strings}
        query={query}
        onQueryChange={setQuery}
        matchCount={matches.length}
        currentIndex={currentIndex}
        onStep={(direction) => setCurrentIndex((i) => stepMatch(i, matches.length, direction))}
        onCopy={() =>
          void copyText(sourceText).then(
            () => setCopyStatus(strings.Copy_Done),
            () => setCopyStatus(strings.Copy_Failed),
          )
        }
        onDownload={() => saveText(downloadFileName(view.header.sessionId), sourceText)}
        copyStatus={copyStatus}
        onJumpToHandoff={
          handoffRow === undefined ? undefined : () => setJump({ index: handoffRow, placement: 'opening' })
        }
        onLatest={lastRow < 0 ? undefined : () => setJump({ index: lastRow, placement: 'end' })}
      />
      <TranscriptLog
        rows={view.rows}
        strings={strings}
        clock={clock}
        narrow={narrow}
        label={`${strings.Transcript_Label} (${fill(strings.Transcript_TurnCount, view.turnCount)})`}
        matches={matches}
        current={currentIndex >= 0 ? matches[currentIndex] : undefined}
        opening={opening}
        jump={jump}
      />
      {link}
    </div>
  );
};
