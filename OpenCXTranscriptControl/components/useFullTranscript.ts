/** Loads the full transcript from the case's note when the description was shortened. */
import * as React from 'react';
import type { ParsedDescription } from '@opencx-d365/transcript-format';
import { noteSubjectOf, type FullTranscriptState } from '../model/full-transcript';
import type { CaseData } from '../model/ports';

export function useFullTranscript(
  parsed: ParsedDescription,
  incidentId: string | undefined,
  offline: boolean,
  data: Pick<CaseData, 'readTranscriptNote'>,
): FullTranscriptState {
  const subject = noteSubjectOf(parsed);
  const [state, setState] = React.useState<FullTranscriptState>({ status: 'complete' });

  React.useEffect(() => {
    if (!subject) return setState({ status: 'complete' });
    if (!incidentId) return setState({ status: 'shortened', reason: 'unsaved' });
    if (offline) return setState({ status: 'shortened', reason: 'offline' });
    let current = true; // an answer for an older description (or after unmount) is dropped
    setState({ status: 'loading', subject });
    data.readTranscriptNote(incidentId, subject).then(
      (text) => {
        if (!current) return;
        setState(text ? { status: 'loaded', subject, text } : { status: 'shortened', reason: 'missing' });
      },
      (error: unknown) => {
        if (!current) return;
        const detail = error instanceof Error ? error.message : String(error);
        setState({ status: 'shortened', reason: 'failed', detail });
      },
    );
    return () => {
      current = false;
    };
  }, [subject, incidentId, offline, data]);

  return state;
}
