/**
 * Redaction when a worker takes a record (spec §3.8). Intake stores only redacted payloads, so what is left
 * for the worker is what it reads from OpenCX itself (a session's history), and a record an older relay
 * stored as it came. What a payload's redacted form is, redaction/payloads.ts decides; this counts what it
 * removes (opencx_relay_redactions_total) and saves the redacted form with the record.
 */
import type { HandoffDocument } from '../handoff/document.js';
import { countRedactions, type RelayMetrics } from '../observability/metrics.js';
import type { TextRedactor } from '../opencx/progress.js';
import type { RedactionSettings } from '../redaction/config.js';
import { redactDocument, redactPayload, redactTexts } from '../redaction/payloads.js';
import type { HandoffPatch, HandoffRecord } from '../store/types.js';
import type { Transitions } from './transitions.js';

export interface TakeRedaction {
  /** REDACT names at least one rule. */
  readonly active: boolean;
  /** A document just built from OpenCX's answers: only this form is ever stored. */
  fetched(document: HandoffDocument): HandoffDocument;
  /** Turns read from OpenCX, in `language`. */
  turns: TextRedactor;
  /**
   * The record with its payload redacted. For a record this relay took this finds nothing and writes only
   * `patch`. A record an older relay stored as it came (the backlog at an upgrade, or what a fleet's not yet
   * upgraded instances take during a rolling upgrade) is redacted here, and saved redacted in the same
   * update, before anything of it reaches Dataverse. Redacting a redacted payload changes nothing.
   */
  ensure(record: HandoffRecord, language?: string, patch?: HandoffPatch): Promise<HandoffRecord>;
}

export function takeRedaction(
  redaction: RedactionSettings,
  transitions: Transitions,
  clock: () => number,
  metrics?: RelayMetrics,
): TakeRedaction {
  return {
    active: redaction.rules.length > 0,
    fetched(document) {
      const redacted = redactDocument(document, redaction);
      countRedactions(metrics, redacted.counts);
      return redacted.value;
    },
    turns(turns, language) {
      const redacted = redactTexts(turns, redaction, language);
      countRedactions(metrics, redacted.counts);
      return redacted.value;
    },
    /** `patch` is written in the same store update (one commit on the handoff's path instead of two). */
    async ensure(record, language, patch = {}) {
      const redacted = redactPayload(record.kind, record.payload, redaction, language);
      if (!redacted.changed) {
        if (Object.keys(patch).length) await transitions.save(record, patch, clock());
        return record;
      }
      countRedactions(metrics, redacted.counts);
      await transitions.save(record, { ...patch, payload: redacted.value }, clock());
      return { ...record, payload: redacted.value };
    },
  };
}
