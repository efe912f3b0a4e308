/** The transcript's search: the query, its matches, and which one is current. */
import * as React from 'react';
import { findMatches, stepMatch } from '../model/search';
import type { Row } from '../model/view-model';

export function useTranscriptSearch(rows: readonly Row[] | undefined) {
  const [query, setQuery] = React.useState('');
  const [currentIndex, setCurrentIndex] = React.useState(-1);
  const matches = React.useMemo(() => (rows ? findMatches(rows, query) : []), [rows, query]);
  React.useEffect(() => setCurrentIndex(matches.length ? 0 : -1), [matches]);
  return {
    query,
    setQuery,
    matches,
    currentIndex,
    current: currentIndex >= 0 ? matches[currentIndex] : undefined,
    step: (direction: 1 | -1) => setCurrentIndex((i) => stepMatch(i, matches.length, direction)),
  };
}
