/**
 * The strict reader for version 1 exactly as GRAMMAR.md defines it. Any deviation makes it give up
 * (return undefined) so that the lenient reader takes over; it never throws on well-formed strings.
 */

import { CONTINUATION_INDENT, HEADER_LINES_LEFT_OUT, UNKNOWN_TIME } from './constants.js';
import { decode, indexOfUnescaped, splitUnescaped } from './escape.js';
import {
  contactMatchFromText,
  headerFieldFromKey,
  readVerificationMark,
  roleFromLabel,
  type HeaderField,
} from './labels.js';
import { isSafeHttpsUrl } from './normalize.js';
import { isDivider, readMarker, readSeparator } from './syntax.js';
import { isValidDate, joinDateTime } from './timestamps.js';
import type { Customer, Omission, ParsedDescription, TranscriptHeader, Turn } from './types.js';

type TranscriptResult = Extract<ParsedDescription, { kind: 'transcript' }>;

/** Where the transcript part starts: the first line that is a separator. */
export function findOpening(
  lines: string[],
): { index: number; version: number; date: string | undefined } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const separator = readSeparator(lines[i]);
    if (separator) return { index: i, ...separator };
  }
  return undefined;
}

const HANDOFF_AT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{3})?) UTC$/;
const REDACTION_ITEM = /^([\s\S]*) ×(\d{1,15})$/;

function readRedactions(raw: string): Record<string, number> | undefined {
  const entries: [string, number][] = [];
  const items = splitUnescaped(raw, ';');
  for (let i = 0; i < items.length; i++) {
    let item = items[i];
    if (i > 0) {
      if (!item.startsWith(' ')) return undefined;
      item = item.slice(1);
    }
    const m = REDACTION_ITEM.exec(item);
    const count = m ? Number(m[2]) : 0;
    if (!m || !Number.isSafeInteger(count) || count < 1) return undefined;
    entries.push([decode(m[1]).text, count]);
  }
  return Object.fromEntries(entries);
}

interface HeaderReading {
  header: TranscriptHeader;
  shortened: boolean;
}

/** A customer detail: the value, then optionally its verification mark. */
function applyCustomerDetail(reading: HeaderReading, detail: 'name' | 'email' | 'phone', raw: string): void {
  const marked = readVerificationMark(raw);
  const decoded = decode(marked ? marked.rest : raw);
  if (decoded.endsWithBareEllipsis) reading.shortened = true;
  const customer: Customer = { ...reading.header.customer, [detail]: decoded.text };
  // The mark belongs to this line's value: a repeated line without one drops an earlier line's.
  const { [detail]: _earlier, ...others } = customer.verification ?? {};
  const verification = marked ? { ...others, [detail]: marked.verification } : others;
  if (Object.keys(verification).length > 0) customer.verification = verification;
  else delete customer.verification;
  reading.header.customer = customer;
}

function applyField(reading: HeaderReading, field: HeaderField, raw: string): boolean {
  const h = reading.header;
  const singleLine = !raw.includes('\n');
  const text = (): string => {
    const decoded = decode(raw);
    if (decoded.endsWithBareEllipsis) reading.shortened = true;
    return decoded.text;
  };
  switch (field) {
    case 'contactMatch': {
      const match = contactMatchFromText(raw);
      if (match === undefined) return false;
      h.contactMatch = match;
      return true;
    }
    case 'sessionUrl':
      // Only https links are ever returned; anything else is dropped, not an error.
      if (singleLine && isSafeHttpsUrl(raw)) h.sessionUrl = raw;
      return singleLine;
    case 'handoffAt': {
      const m = HANDOFF_AT.exec(raw);
      const at = m ? joinDateTime(m[1], m[2]) : undefined;
      if (at === undefined) return false;
      h.handoffAt = at;
      return true;
    }
    case 'redactions': {
      const redactions = singleLine ? readRedactions(raw) : undefined;
      if (redactions === undefined) return false;
      h.redactions = redactions;
      return true;
    }
    case 'customerName':
      applyCustomerDetail(reading, 'name', raw);
      return true;
    case 'customerEmail':
      applyCustomerDetail(reading, 'email', raw);
      return true;
    case 'customerPhone':
      applyCustomerDetail(reading, 'phone', raw);
      return true;
    default:
      h[field] = text();
      return true;
  }
}

function readHeader(lines: string[], end: number): HeaderReading | undefined {
  const reading: HeaderReading = { header: {}, shortened: false };
  let field: HeaderField | undefined;
  let raw = '';
  const flush = (): boolean => field === undefined || applyField(reading, field, raw);
  for (let i = 0; i < end; i++) {
    const line = lines[i];
    if (line.startsWith(CONTINUATION_INDENT)) {
      if (field === undefined) return undefined;
      raw += `\n${line.slice(CONTINUATION_INDENT.length)}`;
      continue;
    }
    if (!flush()) return undefined;
    field = undefined;
    if (line === HEADER_LINES_LEFT_OUT) {
      reading.shortened = true;
      continue;
    }
    const colon = line.indexOf(':');
    const next = colon === -1 ? undefined : line.charAt(colon + 1);
    if (colon === -1 || (next !== ' ' && next !== '')) return undefined;
    field = headerFieldFromKey(line.slice(0, colon));
    if (field === undefined) return undefined;
    raw = line.slice(colon + 2);
  }
  return flush() ? reading : undefined;
}

const TURN_START = /^\[(\d{2}:\d{2}:\d{2}(?:\.\d{3})?|--:--:--)\] (Caller|AI|Agent|System)/;

interface OpenTurn {
  at: string;
  turn: Omit<Turn, 'text' | 'at'>;
  raw: string;
}

function readTurnLine(line: string, date: string | undefined): OpenTurn | undefined {
  const m = TURN_START.exec(line);
  if (!m) return undefined;
  const role = roleFromLabel(m[2])!;
  let at = '';
  const time = m[1];
  if (time !== UNKNOWN_TIME) {
    // The date was validated on its separator line; the time only needs its ranges checked.
    if (date === undefined || time > '23:59:59.999' || time[3] > '5' || time[6] > '5') return undefined;
    at = `${date}T${time.endsWith('.000') ? time.slice(0, 8) : time}Z`;
  }
  let rest = line.slice(m[0].length);
  const turn: OpenTurn['turn'] = { role };
  if (rest.startsWith(' (')) {
    const close = indexOfUnescaped(rest, ')', 2);
    if (close === -1) return undefined;
    turn.name = decode(rest.slice(2, close)).text;
    rest = rest.slice(close + 1);
  }
  if (rest === ':') return { at, turn, raw: '' };
  if (!rest.startsWith(': ')) return undefined;
  return { at, turn, raw: rest.slice(2) };
}

function closeTurn(open: OpenTurn): Turn {
  const turn: Turn = { at: open.at, role: open.turn.role, text: decode(open.raw).text };
  if (open.turn.name !== undefined) turn.name = open.turn.name;
  return turn;
}

export function parseV1(lines: string[]): TranscriptResult | undefined {
  const opening = findOpening(lines);
  if (!opening || opening.version !== 1) return undefined;
  if (opening.date !== undefined && !isValidDate(opening.date)) return undefined;
  let reading: HeaderReading = { header: {}, shortened: false };
  if (opening.index > 0) {
    if (lines[opening.index - 1] !== '') return undefined;
    const header = readHeader(lines, opening.index - 1);
    if (!header) return undefined;
    reading = header;
  }

  const turns: Turn[] = [];
  let after: Turn[] | undefined;
  let omission: Omission | undefined;
  let date = opening.date;
  let open: OpenTurn | undefined;
  const close = (): void => {
    if (open) (after ?? turns).push(closeTurn(open));
    open = undefined;
  };
  for (let i = opening.index + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(CONTINUATION_INDENT)) {
      if (!open) return undefined;
      open.raw += `\n${line.slice(CONTINUATION_INDENT.length)}`;
      continue;
    }
    close();
    if (line.startsWith('[')) {
      open = readTurnLine(line, date);
      if (!open) return undefined;
    } else if (isDivider(line)) {
      if (after) return undefined;
      after = [];
    } else {
      const separator = readSeparator(line);
      if (separator) {
        if (separator.version !== 1 || separator.date === undefined) return undefined;
        if (!isValidDate(separator.date)) return undefined;
        date = separator.date;
        continue;
      }
      const marker = readMarker(line);
      const seen = turns.length + (after?.length ?? 0);
      if (!marker || omission || marker.firstOmittedIndex !== seen) return undefined;
      omission = { omittedTurns: marker.omittedTurns, firstOmittedIndex: marker.firstOmittedIndex };
      if (marker.rawRef !== undefined) omission.fullTextRef = decode(marker.rawRef).text;
    }
  }
  close();

  const result: TranscriptResult = {
    kind: 'transcript',
    version: 1,
    transcript: after
      ? { header: reading.header, turns, afterHandoff: after }
      : { header: reading.header, turns },
    headerShortened: reading.shortened,
  };
  if (omission) result.omission = omission;
  return result;
}
