import * as React from 'react';
import { Badge, Link, mergeClasses } from '@fluentui/react-components';
import type { HeaderFacts } from '../model/header-facts';
import type { Strings } from '../model/strings';
import { useControlStyles } from './styles';
import { useStableId } from './useStableId';

export interface HeaderCardProps {
  facts: HeaderFacts;
  strings: Strings;
  narrow: boolean;
}

const TONE_COLOR = { danger: 'danger', success: 'success', informative: 'informative' } as const;

export const HeaderCard: React.FC<HeaderCardProps> = ({ facts, strings, narrow }) => {
  const styles = useControlStyles();
  const titleId = useStableId('opencx-title');
  const rows: { label: string; value: string; dir?: 'ltr' | 'auto' }[] = [
    ...(facts.channel ? [{ label: strings.Header_Channel, value: facts.channel }] : []),
    // A phone number reads left to right in every language (its groups must not swap in Arabic).
    ...facts.caller.map((c) => ({
      label: c.label,
      value: c.value,
      dir: c.kind === 'phone' ? 'ltr' : 'auto',
    })),
    ...facts.facts,
  ];
  return (
    <section className={styles.header} aria-labelledby={titleId}>
      <div className={styles.titleRow}>
        <h2 id={titleId} className={styles.title} dir="auto">
          {facts.title}
        </h2>
        {facts.sentiment && (
          <Badge appearance="tint" color={TONE_COLOR[facts.sentiment.tone]}>
            <span>
              {strings.Header_Sentiment}: <bdi>{facts.sentiment.label}</bdi>
            </span>
          </Badge>
        )}
        {facts.sessionUrl && (
          <Link
            href={facts.sessionUrl}
            target="_blank"
            rel="noopener noreferrer"
            title={strings.OpenInOpenCX_Hint}
          >
            {strings.OpenInOpenCX}
          </Link>
        )}
      </div>
      {facts.summary && (
        <p className={styles.summary} dir="auto">
          <span className={styles.factLabel}>{strings.Header_Summary}: </span>
          <bdi>{facts.summary}</bdi>
        </p>
      )}
      {rows.length > 0 && (
        <dl className={mergeClasses(styles.facts, narrow && styles.factsNarrow)}>
          {rows.map((row) => (
            <React.Fragment key={row.label}>
              <dt className={styles.factLabel}>{row.label}</dt>
              <dd className={styles.factValue} dir={row.dir ?? 'auto'}>
                {row.value}
              </dd>
            </React.Fragment>
          ))}
        </dl>
      )}
    </section>
  );
};
