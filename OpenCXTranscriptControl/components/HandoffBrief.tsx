import * as React from 'react';
import { Badge, Link, mergeClasses } from '@fluentui/react-components';
import { elapsedSince, handedOffText, type Ticker } from '../model/elapsed';
import type { BriefQuote, HandoffBrief as Brief } from '../model/first-screen';
import type { HeaderFacts } from '../model/header-facts';
import type { RepClock } from '../model/locale';
import type { Strings } from '../model/strings';
import { formatDateTime } from '../model/time';
import { useFirstScreenStyles } from './firstScreenStyles';
import { Notice } from './Notice';
import { useStableId } from './useStableId';
import { useNow } from './useNow';

export interface HandoffBriefProps {
  brief: Brief;
  sentiment?: HeaderFacts['sentiment'];
  /** Warnings about what is known of the caller (nothing verified, linked by a stated email). */
  notices: readonly string[];
  strings: Strings;
  clock: RepClock;
  ticker: Ticker;
  narrow: boolean;
  /** Brings a quoted turn into view in the log and focuses it. */
  onGoToRow: (row: number) => void;
}

/** "Handed off" ticks every this many ms: the text changes by the minute at most. */
const TICK_MS = 15_000;
const TONE_COLOR = { danger: 'danger', success: 'success', informative: 'informative' } as const;

/**
 * The handoff brief, pinned above the log: how long the caller has been waiting, the sentiment as it was
 * at the handoff, the summary, and the caller's and the AI's last turns before the handoff, each a
 * button that goes to the turn in the log.
 */
export const HandoffBrief: React.FC<HandoffBriefProps> = (props) => {
  const { brief, strings, clock } = props;
  const styles = useFirstScreenStyles();
  const titleId = useStableId('opencx-brief');
  const now = useNow(props.ticker, TICK_MS, brief.handoffAt !== undefined);
  const elapsed = brief.handoffAt ? elapsedSince(brief.handoffAt, now) : undefined;
  const quote = (label: string, q: BriefQuote | undefined) =>
    q && (
      <Link as="button" className={styles.quote} onClick={() => props.onGoToRow(q.row)}>
        <span className={styles.quoteLabel}>{label}</span>
        <q dir="auto">{q.text}</q>
      </Link>
    );
  return (
    <section
      className={mergeClasses(styles.brief, props.narrow && styles.briefNarrow)}
      aria-labelledby={titleId}
    >
      <div className={styles.briefTitleRow}>
        <h3 id={titleId} className={styles.briefTitle}>
          {strings.Brief_Title}
        </h3>
        {elapsed && brief.handoffAt && (
          <time
            className={styles.ago}
            dateTime={brief.handoffAt}
            title={formatDateTime(brief.handoffAt, clock)}
          >
            {handedOffText(elapsed, clock.locale, strings)}
          </time>
        )}
        {props.sentiment && (
          <Badge appearance="tint" color={TONE_COLOR[props.sentiment.tone]}>
            {strings.Brief_SentimentAtHandoff}: {props.sentiment.label}
          </Badge>
        )}
      </div>
      {brief.summary && (
        <p className={styles.briefSummary} dir="auto">
          {brief.summary}
        </p>
      )}
      {/* Never cut, even on a phone: what is known of the caller decides what the rep may do. */}
      {props.notices.map((notice) => (
        <Notice key={notice} intent="warning" text={notice} oneLine={false} strings={strings} />
      ))}
      {(brief.callerLast || brief.aiLast) && (
        <div className={styles.quotes}>
          {quote(strings.Brief_CallerLast, brief.callerLast)}
          {quote(strings.Brief_AiLast, brief.aiLast)}
        </div>
      )}
    </section>
  );
};
