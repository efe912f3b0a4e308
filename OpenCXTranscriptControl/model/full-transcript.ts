/** Pure: where the full text of a shortened transcript lives, and what the rep is told about it. */
import type { ParsedDescription } from '@opencx-d365/transcript-format';

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
