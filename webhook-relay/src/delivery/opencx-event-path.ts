/**
 * A native OpenCX event's first leg: fetch the session and its history (delivery/opencx-step.ts), turn them
 * into a handoff document (fetched once, then kept with the record, redacted), and hand it to the handoff's
 * path; or settle the record here: skipped (a channel that makes no case), dead-lettered, or due again.
 */
import type { HandoffDocument } from '../handoff/document.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import type { HandoffRecord } from '../store/types.js';
import type { DeliveryContext } from './context.js';
import { fetchHandoffDocument, progressPatch, withDocument } from './opencx-step.js';

/** The event's handoff document; undefined when the record was settled here. */
export async function openCxDocument(
  context: DeliveryContext,
  record: HandoffRecord,
): Promise<HandoffDocument | undefined> {
  const { transitions, redaction, clock } = context;
  const payload = JSON.parse(record.payload) as OpenCxEventPayload;
  if (!payload.document) await transitions.save(record, { status: 'fetching' }, clock());
  const fetched = await fetchHandoffDocument(
    payload,
    context.opencx,
    context.config,
    redaction.active ? redaction.turns : undefined,
  );
  const now = clock();
  const log = context.logger?.child({ handoffKey: record.key });
  switch (fetched.kind) {
    case 'ready': {
      if (!fetched.fetched) return fetched.document;
      // Fetched from OpenCX just now: only the redacted form is ever stored.
      const document = redaction.fetched(fetched.document);
      await transitions.save(record, { payload: JSON.stringify(withDocument(payload, document)) }, now);
      return document;
    }
    case 'skip': {
      const document = redaction.fetched(fetched.document);
      const stored = JSON.stringify(withDocument(payload, document));
      await transitions.settle(record, { status: 'skipped', note: fetched.note, payload: stored }, now);
      log?.info({ note: fetched.note }, 'OpenCX event skipped');
      return undefined;
    }
    case 'failed': {
      const { error } = fetched;
      await transitions.settle(
        record,
        { status: 'failed', attempts: record.attempts + 1, lastError: error },
        now,
      );
      log?.error({ code: error.code, reason: error.reason }, 'OpenCX event failed for good');
      return undefined;
    }
    case 'retry':
      await transitions.reschedule(record, fetched, now, progressPatch(payload, fetched));
      return undefined;
  }
}
