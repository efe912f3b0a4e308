/** Pure: where the full text of a shortened transcript lives, and what the rep is told about it. */
import type { ParsedDescription } from '@opencx-d365/transcript-format';
import { fill, type Strings } from './strings';

/** The note subject the relay writes (`OpenCX transcript <session id>`). */
export function noteSubjectOf(parsed: ParsedDescription): string | undefined {
  if (parsed.kind !== 'transcript' || !parsed.omission) return undefined;
  // The marker names the note: `note "OpenCX transcript 4f1c…"`.
  const named = /note "([^"]+)"/.exec(parsed.omission.fullTextRef ?? '');
  if (named) return named[1];
  const session = parsed.transcript.header.sessionId;
  return session ? `OpenCX transcript ${session}` : undefined;
}

export type FullTranscriptState =
  /** The description is complete: nothing to load. */
  | { status: 'complete' }
  | { status: 'loading'; subject: string }
  | { status: 'loaded'; subject: string; text: string }
  /** The shortened text is shown; `reason` says why the full one is not. */
  | { status: 'shortened'; reason: 'failed' | 'missing' | 'offline' | 'unsaved'; detail?: string };

export interface Notice {
  intent: 'info' | 'warning';
  text: string;
  /** Shown with a spinner: something is on its way. */
  busy?: boolean;
}

const SHORTENED_KEYS = {
  failed: 'Full_Failed',
  missing: 'Full_Missing',
  offline: 'Full_Offline',
  unsaved: 'Full_Unsaved',
} as const;

/** What the rep is told about the full text: nothing when the description is complete. */
export function fullTranscriptNotice(
  state: FullTranscriptState,
  omittedTurns: number,
  strings: Strings,
): Notice | undefined {
  switch (state.status) {
    case 'complete':
      return undefined;
    case 'loading':
      return { intent: 'info', text: strings.Full_Loading, busy: true };
    case 'loaded':
      return { intent: 'info', text: fill(strings.Full_Loaded, state.subject) };
    case 'shortened':
      return {
        intent: 'warning',
        text: fill(strings[SHORTENED_KEYS[state.reason]], omittedTurns, state.detail ?? ''),
      };
  }
}
