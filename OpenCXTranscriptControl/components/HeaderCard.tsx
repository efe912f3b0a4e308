import * as React from 'react';
import { Link, mergeClasses } from '@fluentui/react-components';
import type { HeaderFacts } from '../model/header-facts';
import { fill, type Strings } from '../model/strings';
import type { CallerTrust } from '../model/verification';
import { useFirstScreenStyles } from './firstScreenStyles';
import { useControlStyles } from './styles';
import { useStableId } from './useStableId';

export interface HeaderCardProps {
  /** The sentiment is not shown here: the handoff brief leads with it. */
  facts: HeaderFacts;
  strings: Strings;
  narrow: boolean;
  /** "verified by OpenCX" / "stated by the caller" per caller detail; none when the header does not say. */
  marks?: CallerTrust['marks'];
  /** Fold the facts into a disclosure (on a phone, so the first screen holds the brief and the log). */
  collapsible?: boolean;
}

/** What a value rests on: OpenCX verified it, the caller only stated it, or it is the unverified caller ID. */
type Mark = 'verified' | 'stated' | 'caller-id';
const MARK_TEXT = {
  verified: 'Verification_Verified',
  stated: 'Verification_Stated',
  'caller-id': 'Verification_CallerId',
} as const;

export const HeaderCard: React.FC<HeaderCardProps> = ({ facts, strings, narrow, marks, collapsible }) => {
  const styles = useControlStyles();
  const firstScreen = useFirstScreenStyles();
  const titleId = useStableId('opencx-title');
  const rows: { label: string; value: string; mark?: Mark; dir?: 'ltr' | 'auto' }[] = [
    ...(facts.channel ? [{ label: strings.Header_Channel, value: facts.channel }] : []),
    // A phone number reads left to right in every language (its groups must not swap in Arabic).
    ...facts.caller.map((c) => ({
      label: c.label,
      value: c.value,
      mark: marks?.[c.kind],
      dir: c.kind === 'phone' ? ('ltr' as const) : ('auto' as const),
    })),
    ...facts.facts,
  ];
  return (
    <section className={styles.header} aria-labelledby={titleId}>
      <div className={styles.titleRow}>
        <h2 id={titleId} className={styles.title} dir="auto">
          {facts.title}
        </h2>
        {facts.sessionLink?.kind === 'link' && (
          <Link
            href={facts.sessionLink.url}
            target="_blank"
            rel="noopener noreferrer"
            title={strings.OpenInOpenCX_Hint}
          >
            {strings.OpenInOpenCX}
          </Link>
        )}
        {facts.sessionLink?.kind === 'elsewhere' && (
          <span className={firstScreen.stated}>
            {fill(strings.OpenInOpenCX_Elsewhere, facts.sessionLink.host)}
          </span>
        )}
      </div>
      {facts.summary && (
        <p className={styles.summary} dir="auto">
          <span className={styles.factLabel}>{strings.Header_Summary}: </span>
          <bdi>{facts.summary}</bdi>
        </p>
      )}
      {rows.length > 0 &&
        foldIf(
          collapsible === true,
          <summary className={firstScreen.disclosure}>{strings.Header_Details}</summary>,
          <dl className={mergeClasses(styles.facts, narrow && styles.factsNarrow)}>
            {rows.map((row) => (
              <React.Fragment key={row.label}>
                <dt className={styles.factLabel}>{row.label}</dt>
                <dd className={styles.factValue}>
                  <bdi dir={row.dir ?? 'auto'}>{row.value}</bdi>
                  {row.mark && (
                    <span
                      className={mergeClasses(
                        firstScreen.mark,
                        row.mark === 'verified' ? firstScreen.verified : firstScreen.stated,
                      )}
                      data-verification={row.mark}
                      dir="auto"
                    >
                      {strings[MARK_TEXT[row.mark]]}
                    </span>
                  )}
                </dd>
              </React.Fragment>
            ))}
          </dl>,
        )}
    </section>
  );
};

/** A native disclosure (keyboard and screen reader support built in), closed until the rep opens it. */
function foldIf(fold: boolean, summary: React.ReactElement, content: React.ReactElement) {
  if (!fold) return content;
  return (
    <details>
      {summary}
      {content}
    </details>
  );
}
