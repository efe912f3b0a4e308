/** Maps a handoff document to the shared transcript model (transcript-format). */
import type { ContactMatch, Transcript, TranscriptHeader } from '@opencx-d365/transcript-format';
import type { HandoffDocument } from '../handoff/document.js';

export function sessionUrlOf(document: HandoffDocument, template?: string): string | undefined {
  if (document.session_url?.startsWith('https://')) return document.session_url;
  if (template) return template.replaceAll('{session_id}', encodeURIComponent(document.session_id));
  return undefined;
}

/** `redactions`: the header's `Redacted:` counts (delivery/redact-step.ts), when the relay removed anything. */
export function transcriptOf(
  document: HandoffDocument,
  contactMatch: ContactMatch,
  sessionUrlTemplate?: string,
  redactions?: Record<string, number>,
): Transcript {
  const header: TranscriptHeader = {
    channel: document.channel ?? 'phone_voice',
    summary: document.summary,
    classification: document.classification ?? document.contact_reason,
    sentiment: document.sentiment,
    language: document.language,
    customer: document.customer,
    contactMatch,
    sessionId: document.session_id,
    sessionUrl: sessionUrlOf(document, sessionUrlTemplate),
    handoffAt: document.handoff_at,
    handoffReason: document.reason,
    ...(redactions ? { redactions } : {}),
  };
  return {
    header,
    turns: document.messages.map((message) => ({
      at: message.at,
      role: message.role,
      ...(message.name ? { name: message.name } : {}),
      text: message.text,
    })),
  };
}
