/** Pure: the header card's facts, in the order a rep reads them, with localised labels and values. */
import type { TranscriptHeader } from '@opencx-d365/transcript-format';
import type { RepClock } from './locale';
import type { StringKey, Strings } from './strings';
import { formatDateTime } from './time';

export type SentimentTone = 'danger' | 'success' | 'informative';

export interface HeaderFacts {
  title: string;
  sentiment?: { label: string; tone: SentimentTone };
  channel?: string;
  summary?: string;
  caller: { label: string; value: string; kind: 'name' | 'phone' | 'email' }[];
  facts: { label: string; value: string }[];
  /** Only ever an `https:` URL. */
  sessionUrl?: string;
}

const NEGATIVE = new Set(['angry', 'frustrated', 'negative', 'upset', 'annoyed']);
const POSITIVE = new Set(['happy', 'positive', 'satisfied', 'pleased']);

function known(strings: Strings, prefix: string, value: string): string {
  const key = `${prefix}_${value.toLowerCase()}` as StringKey;
  return key in strings ? strings[key] : value;
}

/** OpenCX reports reasons as identifiers (`ai_decided_to_handoff_the_conversation`): shown as words. */
export function readableReason(reason: string): string {
  if (!/^[a-z0-9]+(?:_[a-z0-9]+)+$/.test(reason)) return reason;
  const words = reason.split('_').map((w) => (w === 'ai' ? 'AI' : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function isSafeLink(url: string | undefined): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

export function headerFacts(header: TranscriptHeader, strings: Strings, clock: RepClock): HeaderFacts {
  const customer = header.customer ?? {};
  const sentiment = header.sentiment?.trim();
  const facts: HeaderFacts['facts'] = [];
  if (header.handoffAt)
    facts.push({ label: strings.Header_HandoffAt, value: formatDateTime(header.handoffAt, clock) });
  if (header.handoffReason)
    facts.push({ label: strings.Header_HandoffReason, value: readableReason(header.handoffReason) });
  if (header.contactMatch)
    facts.push({ label: strings.Header_Contact, value: strings[`ContactMatch_${header.contactMatch}`] });
  if (header.language) facts.push({ label: strings.Header_Language, value: header.language });
  const redactions = Object.entries(header.redactions ?? {}).filter(([, n]) => n > 0);
  if (redactions.length)
    facts.push({
      label: strings.Header_Redacted,
      value: redactions.map(([kind, n]) => `${n} × ${kind}`).join(', '),
    });
  const caller: HeaderFacts['caller'] = [];
  if (customer.name) caller.push({ label: strings.Header_Name, value: customer.name, kind: 'name' });
  if (customer.phone) caller.push({ label: strings.Header_Phone, value: customer.phone, kind: 'phone' });
  if (customer.email) caller.push({ label: strings.Header_Email, value: customer.email, kind: 'email' });
  return {
    title: header.classification?.trim() || strings.Header_NoClassification,
    sentiment: sentiment
      ? {
          label: known(strings, 'Sentiment', sentiment),
          tone: NEGATIVE.has(sentiment.toLowerCase())
            ? 'danger'
            : POSITIVE.has(sentiment.toLowerCase())
              ? 'success'
              : 'informative',
        }
      : undefined,
    channel: header.channel ? known(strings, 'Channel', header.channel) : undefined,
    summary: header.summary,
    caller,
    facts,
    sessionUrl: isSafeLink(header.sessionUrl) ? header.sessionUrl : undefined,
  };
}
