/**
 * Adds the turns said after the handoff to the case the relay created: the note gets the whole
 * transcript and the description is fitted again with the handoff divider. The case in Dataverse is the
 * source of truth (its note, or its description when that is complete), so this is idempotent and
 * safe in any order; two appends racing are kept apart by the description's etag (If-Match → 412), and a
 * case deleted meanwhile answers 404 instead of being re-created. Its two reads (the description, then the
 * note) are each tried again in place on a transient failure, so one 503 neither repeats the other read nor
 * costs the job an attempt; a 429 or 401 is left to the worker, which pauses every worker for it.
 */
import { fit, parse, write, type Transcript, type Turn } from '@opencx-d365/transcript-format';
import { API_PATH, DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { transcriptNoteId } from '../handoff/key.js';
import { messages } from '../messages.js';
import { transcriptNoteBody, type DeliveryMetadata } from '../delivery/plan.js';
import { pausesEveryWorker } from '../delivery/retry-policy.js';
import { IN_PLACE, retryInPlace, type InPlaceOptions, type Judgement } from '../retry-in-place.js';
import { mergeTurns } from './merge.js';

export type AppendOutcome =
  | { kind: 'appended'; added: number }
  | { kind: 'nothing-new' }
  /** Another writer changed the case in between: read again and retry. */
  | { kind: 'conflict' }
  /** The case holds no transcript we can extend (a rep replaced the description, no note). */
  | { kind: 'unreadable'; reason: string }
  /** The case was deleted between our read and our write: If-Match made the update fail with 404. */
  | { kind: 'deleted'; reason: string };

interface IncidentRow {
  '@odata.etag'?: string;
  description?: string | null;
}

interface NoteRow {
  notetext?: string | null;
  documentbody?: string | null;
  isdocument?: boolean | null;
}

/** Three tries: a read that times out would otherwise hold the job for five request timeouts. */
const READ_POLICY = { ...IN_PLACE, tries: 3 };

/** A read that failed on the way (5xx, no answer) is tried again; a pause for every worker is not. */
const transient = (error: unknown): Judgement => ({
  again:
    error instanceof DataverseRequestError && error.failure.retryable && !pausesEveryWorker(error.failure),
});

async function readNote(dataverse: DataverseClient, noteId: string): Promise<string | undefined> {
  try {
    const note = await dataverse.get<NoteRow>(
      `annotations(${noteId})?$select=notetext,documentbody,isdocument`,
    );
    if (note.isdocument && note.documentbody)
      return Buffer.from(note.documentbody, 'base64').toString('utf8');
    return note.notetext ?? undefined;
  } catch (error) {
    if (error instanceof DataverseRequestError && error.failure.httpStatus === 404) return undefined;
    throw error;
  }
}

/** The header's redaction counts plus what the added turns show (`count` reads a list of turns). */
function withAddedRedactions(
  header: Transcript['header'],
  before: readonly Turn[],
  after: readonly Turn[],
  count: (turns: readonly Turn[]) => Partial<Record<string, number>>,
): Transcript['header'] {
  const was = count(before);
  const redactions = { ...header.redactions };
  let added = false;
  for (const [kind, n = 0] of Object.entries(count(after))) {
    const more = n - (was[kind] ?? 0);
    if (more <= 0) continue;
    redactions[kind] = (redactions[kind] ?? 0) + more;
    added = true;
  }
  return added ? { ...header, redactions } : header;
}

/**
 * `countRedactions` (when the relay redacts): counts the markers in turns, so that the header's
 * `Redacted:` line also counts what was removed from the added turns.
 */
export async function appendToCase(
  dataverse: DataverseClient,
  metadata: DeliveryMetadata,
  key: string,
  incoming: Turn[],
  options: {
    countRedactions?: (turns: readonly Turn[]) => Partial<Record<string, number>>;
    /** The tries in place of each read (defaults: retry-in-place.ts). */
    inPlace?: InPlaceOptions;
  } = {},
): Promise<AppendOutcome> {
  const read = <T>(get: () => Promise<T>) =>
    retryInPlace(get, transient, { policy: READ_POLICY, ...options.inPlace });
  const incident = await read(() => dataverse.get<IncidentRow>(`incidents(${key})?$select=description`));
  const noteId = transcriptNoteId(key);
  const noteText = await read(() => readNote(dataverse, noteId));
  const source = noteText ?? incident.description ?? '';
  const parsed = parse(source);
  if (parsed.kind !== 'transcript' || (parsed.omission && noteText === undefined))
    return {
      kind: 'unreadable',
      reason:
        'The case no longer holds the OpenCX transcript (its description was replaced and there is no transcript note), so the later turns cannot be added. They are kept with this handoff in the relay.',
    };
  const merged = mergeTurns(parsed.transcript.afterHandoff ?? [], incoming);
  if (merged.added === 0) return { kind: 'nothing-new' };
  const existing = parsed.transcript.afterHandoff ?? [];
  const header = options.countRedactions
    ? withAddedRedactions(parsed.transcript.header, existing, merged.turns, options.countRedactions)
    : parsed.transcript.header;
  const transcript: Transcript = { ...parsed.transcript, header, afterHandoff: merged.turns };
  const subject = `OpenCX transcript ${transcript.header.sessionId ?? key}`;
  const full = write(transcript);
  const fitted = fit(transcript, {
    maxLength: metadata.descriptionMaxLength,
    fullTextRef: `note "${subject}"`,
  });
  const etag = incident['@odata.etag'];
  try {
    await dataverse.batch(
      [
        {
          method: 'PATCH',
          url: `${API_PATH}incidents(${key})`,
          body: { description: fitted.text },
          // The etag read above, or `*` when the answer carried none: either way an update only, never
          // the upsert that would re-create a case deleted in Dynamics (Perform conditional operations
          // using the Web API: Prevent create in upsert; Apply optimistic concurrency).
          headers: { 'If-Match': etag ?? '*' },
        },
        // PATCH is an upsert: the note is created on the first append when the description was complete.
        {
          method: 'PATCH',
          url: `${API_PATH}annotations(${noteId})`,
          body: transcriptNoteBody(key, subject, full, metadata.noteMaxLength),
        },
      ],
      [],
    );
  } catch (error) {
    if (error instanceof DataverseRequestError && error.failure.httpStatus === 412)
      return { kind: 'conflict' };
    if (error instanceof DataverseRequestError && error.failure.httpStatus === 404 && error.contentId === '1')
      return { kind: 'deleted', reason: messages.append.caseDeleted };
    throw error;
  }
  return { kind: 'appended', added: merged.added };
}
