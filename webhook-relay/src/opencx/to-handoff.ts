/**
 * Pure: OpenCX's handoff event + session + history → our handoff document (spec §3.2), so a native
 * event is delivered by exactly the same path as `POST /v1/handoffs`.
 */
import type { HandoffCustomer, HandoffDocument, HandoffMessage } from '../handoff/document.js';
import type { OpenCxHistoryItem, OpenCxSession } from './client.js';
import type { HandoffEventData } from './envelope.js';

const ROLES: Readonly<Record<string, HandoffMessage['role']>> = {
  contact: 'contact',
  ai: 'ai',
  human_agent: 'human_agent',
  agent: 'human_agent',
};

const present = (value: string | null | undefined) => (value?.trim() ? value.trim() : undefined);

/** Messages up to the handoff: before the first `handoff` history event, else at or before the event's time. */
export function messagesUpToHandoff(items: OpenCxHistoryItem[], handoffAt: string): HandoffMessage[] {
  const sorted = [...items].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  const marker = sorted.find((item) => item.event.type === 'handoff');
  const limit = marker ? Date.parse(marker.created_at) : Date.parse(handoffAt);
  const messages: HandoffMessage[] = [];
  for (const item of sorted) {
    if (item === marker) break;
    const at = Date.parse(item.created_at);
    if (Number.isNaN(at) || at > limit) break;
    if (item.event.type !== 'message') continue;
    const text = item.event.content?.text;
    if (typeof text !== 'string') continue;
    const role = ROLES[item.event.sender?.type ?? ''] ?? 'system';
    const name = role === 'human_agent' ? present(item.event.sender?.name) : undefined;
    // Kept as OpenCX wrote it when it carries an offset, so the transcript matches a sender's.
    const stamp = /(?:Z|[+-]\d{2}:\d{2})$/i.test(item.created_at)
      ? item.created_at
      : new Date(at).toISOString();
    messages.push({ at: stamp, role, ...(name ? { name } : {}), text });
  }
  return messages;
}

/**
 * The caller's details, each with who vouches for it. OpenCX keeps a contact's verified details in
 * `name` / `email` and what the caller gave without verification in `non_verified_name` /
 * `non_verified_email` (OpenCX API reference, "Create a chat session": "verified contacts write to
 * custom_data, otherwise to non_verified_custom_data"); a verified detail wins over a stated one.
 * `phone_number` has no verified/unverified pair (on a call it is the line's caller ID, which nobody
 * vouches for), so the phone carries no mark: the case claims neither.
 */
export function customerFromOpenCx(contact: NonNullable<OpenCxSession['contact']>): HandoffCustomer {
  const customer: HandoffCustomer = {};
  const verification: NonNullable<HandoffCustomer['verification']> = {};
  const detail = (key: 'name' | 'email', verified: string | undefined, stated: string | undefined) => {
    if (verified !== undefined) {
      customer[key] = verified;
      verification[key] = 'verified';
    } else if (stated !== undefined) {
      customer[key] = stated;
      verification[key] = 'stated';
    }
  };
  detail('name', present(contact.name), present(contact.non_verified_name));
  detail('email', present(contact.email), present(contact.non_verified_email));
  const phone = present(contact.phone_number);
  if (phone !== undefined) customer.phone = phone;
  if (Object.keys(verification).length > 0) customer.verification = verification;
  return customer;
}

export function handoffFromOpenCx(
  event: HandoffEventData,
  session: OpenCxSession,
  history: OpenCxHistoryItem[],
): HandoffDocument {
  const customer = customerFromOpenCx(session.contact ?? {});
  const contactReason = present(event.contact_reason);
  const document: HandoffDocument = {
    session_id: event.conversation_id,
    handoff_at: event.timestamp,
    channel: present(session.channel?.type) ?? 'phone_voice',
    reason: present(event.reason),
    classification: contactReason,
    contact_reason: contactReason,
    summary: present(event.summary) ?? present(session.handoff?.summary),
    sentiment:
      present(event.user_sentiment) ?? present(session.handoff?.sentiment) ?? present(session.sentiment),
    language: present(event.language) ?? present(session.language),
    customer,
    messages: messagesUpToHandoff(history, event.timestamp),
  };
  // Drop absent optional fields so the document is exactly what a sender would post.
  return Object.fromEntries(Object.entries(document).filter(([, v]) => v !== undefined)) as HandoffDocument;
}
