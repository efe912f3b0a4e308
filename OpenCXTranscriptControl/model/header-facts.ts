/**
 * Pure: the header card's facts, in the order a rep reads them, with localised labels and values. Nothing
 * is shown as a raw identifier: the phone is formatted for the rep, the language named in the rep's
 * language, channel, sentiment and reason codes put in words. The stored values stay in copy and download.
 */
import type { TranscriptHeader } from '@opencx-d365/transcript-format';
import { hasBidiMarker } from './bidi';
import type { RepClock } from './locale';
import { parsePhone } from './phone';
import { sessionLinkOf, type SessionLink } from './session-link';
import { linkedByCallerId } from './verification';
import { fill, type StringKey, type Strings } from './strings';
import { formatDateTime } from './time';

export type SentimentTone = 'danger' | 'success' | 'informative';

export interface HeaderFacts {
  title: string;
  sentiment?: { label: string; tone: SentimentTone };
  channel?: string;
  summary?: string;
  caller: { label: string; value: string; kind: 'name' | 'phone' | 'email' }[];
  /** `mark`: what the value rests on, when the rep must know (a contact matched by the caller ID alone). */
  facts: { label: string; value: string; mark?: 'caller-id' }[];
  /** "Open in OpenCX": a link only to the allowed OpenCX address (model/session-link.ts). */
  sessionLink?: SessionLink;
}

const NEGATIVE = new Set(['angry', 'frustrated', 'negative', 'upset', 'annoyed']);
const POSITIVE = new Set(['happy', 'positive', 'satisfied', 'pleased']);

/** A value our strings name (`Channel_phone_voice`), else the value in words. */
function known(strings: Strings, prefix: string, value: string): string {
  const key = `${prefix}_${value.toLowerCase()}` as StringKey;
  return key in strings ? strings[key] : readableReason(value);
}

/**
 * OpenCX reports reasons, channels and sentiments as identifiers (`ai_decided_to_handoff_the_conversation`,
 * `whatsapp_voice`, `very_negative`): shown as words.
 */
export function readableReason(reason: string): string {
  if (!/^[a-z0-9]+(?:_[a-z0-9]+)+$/.test(reason)) return reason;
  const words = reason.split('_').map((w) => (w === 'ai' ? 'AI' : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A handoff reason in the rep's language when OpenCX's code is one we know, else the code in words. */
export function reasonLabel(strings: Strings, reason: string): string {
  return known(strings, 'Reason', reason);
}

/**
 * The caller's number as a rep dials it: national format when the number is from the rep's country,
 * international otherwise, with the extension. A value that is not a number we can read is shown as stored.
 */
export function phoneForRep(raw: string, repCountry: string | undefined, strings: Strings): string {
  // A marker where a bidi control was (model/bidi.ts): shown as stored, never tidied into something else.
  if (hasBidiMarker(raw)) return raw;
  const parsed = parsePhone(raw, repCountry);
  if (!parsed.ok) return raw;
  const formatted = parsed.country && parsed.country === repCountry ? parsed.national : parsed.international;
  return parsed.extension ? fill(strings.Header_PhoneExtension, formatted, parsed.extension) : formatted;
}

const displayNames = new Map<string, Intl.DisplayNames>();
/** One formatter per rep locale: building one costs far more than using it. */
function displayNamesFor(locale: string): Intl.DisplayNames {
  let names = displayNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'none' });
    displayNames.set(locale, names);
  }
  return names;
}

/** A BCP 47 language tag (`en`, `en-GB`, `pt_BR`): named in the rep's language; anything else as stored. */
export function languageName(value: string, locale: string): string {
  const tag = value.trim().replace(/_/g, '-');
  if (!/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i.test(tag)) return value;
  try {
    return displayNamesFor(locale).of(tag) ?? value;
  } catch {
    // Well-formed but not a valid tag (RangeError): the stored value is all we have.
    return value;
  }
}

export interface HeaderOptions {
  /** The rep's country (model/rep-country.ts): the caller's number from there is shown in national format. */
  repCountry?: string;
  /** The control's OpenCX address property: the only origin "Open in OpenCX" may lead to. */
  opencxOrigin?: string;
}

export function headerFacts(
  header: TranscriptHeader,
  strings: Strings,
  clock: RepClock,
  options: HeaderOptions = {},
): HeaderFacts {
  const customer = header.customer ?? {};
  const { repCountry } = options;
  const sentiment = header.sentiment?.trim();
  const facts: HeaderFacts['facts'] = [];
  if (header.handoffAt)
    facts.push({ label: strings.Header_HandoffAt, value: formatDateTime(header.handoffAt, clock) });
  if (header.handoffReason)
    facts.push({ label: strings.Header_HandoffReason, value: reasonLabel(strings, header.handoffReason) });
  if (header.contactMatch)
    facts.push({
      label: strings.Header_Contact,
      value: strings[`ContactMatch_${header.contactMatch}`],
      ...(linkedByCallerId(header) ? { mark: 'caller-id' as const } : {}),
    });
  if (header.language)
    facts.push({ label: strings.Header_Language, value: languageName(header.language, clock.locale) });
  const redactions = Object.entries(header.redactions ?? {}).filter(([, n]) => n > 0);
  if (redactions.length)
    facts.push({
      label: strings.Header_Redacted,
      value: redactions.map(([kind, n]) => `${n} × ${kind}`).join(', '),
    });
  const caller: HeaderFacts['caller'] = [];
  if (customer.name) caller.push({ label: strings.Header_Name, value: customer.name, kind: 'name' });
  if (customer.phone)
    caller.push({
      label: strings.Header_Phone,
      value: phoneForRep(customer.phone, repCountry, strings),
      kind: 'phone',
    });
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
    sessionLink: sessionLinkOf(header.sessionUrl, options.opencxOrigin),
  };
}
