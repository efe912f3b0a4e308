import * as React from 'react';
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { downloadFileName } from '../model/export';
import { fill } from '../model/strings';
import { phoneIsCallerId } from '../model/verification';
import { copyText, saveText } from './browser-io';
import { HandoffBrief } from './HandoffBrief';
import { HeaderCard } from './HeaderCard';
import { LinkContact } from './LinkContact';
import { Notice } from './Notice';
import { useControlStyles } from './styles';
import type { TranscriptControlProps } from './TranscriptControl';
import { TranscriptLog, type LogJump } from './TranscriptLog';
import { TranscriptToolbar } from './TranscriptToolbar';
import { useTranscript } from './useTranscript';
import { useTranscriptSearch } from './useTranscriptSearch';

/** What the rep sees: the empty state, a plain text, or the transcript's first screen and log; then Link. */
export const TranscriptBody: React.FC<TranscriptControlProps> = (props) => {
  const { strings, clock, narrow } = props;
  const styles = useControlStyles();
  const { view, sourceText, firstScreen, notice, repCountry } = useTranscript(props);
  const search = useTranscriptSearch(view.kind === 'transcript' ? view.rows : undefined);
  const [copyStatus, setCopyStatus] = React.useState<string>();
  const [jump, setJump] = React.useState<LogJump>();
  const caller = view.kind === 'transcript' ? view.caller : undefined;

  const link = (
    <LinkContact
      strings={strings}
      data={props.data}
      incidentId={props.incidentId}
      offline={props.offline}
      readOnly={props.readOnly}
      canLink={props.canLink}
      callerPhone={caller?.phone}
      callerPhoneIsCallerId={view.kind === 'transcript' && phoneIsCallerId(view.header)}
      callerName={caller?.name}
      callerEmail={caller?.email}
      sessionId={view.kind === 'transcript' ? view.header.sessionId : undefined}
      repCountry={repCountry}
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

  if (!firstScreen) return null; // unreachable: a transcript view has a header and rows
  const { facts, trust, notices: trustNotices, brief, handoffRow, openingRow } = firstScreen;
  const lastRow = view.rows.length - 1;
  return (
    <div className={styles.root}>
      {/* The summary and the sentiment lead the brief below; the card keeps the rest of the facts. */}
      <HeaderCard
        facts={{ ...facts, summary: undefined }}
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
        <Notice
          intent="info"
          text={fill(strings.BestEffort_Notice, view.bestEffortSource)}
          oneLine={narrow}
          strings={strings}
        />
      )}
      {notice && <Notice {...notice} oneLine={narrow} strings={strings} />}
      <TranscriptToolbar
        strings={strings}
        narrow={narrow}
        query={search.query}
        onQueryChange={search.setQuery}
        matchCount={search.matches.length}
        currentIndex={search.currentIndex}
        onStep={search.step}
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
        matches={search.matches}
        current={search.current}
        opening={openingRow}
        jump={jump}
      />
      {link}
    </div>
  );
};
