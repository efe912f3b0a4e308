/**
 * The lenient reader: a best-effort reading of text that is not strictly ours: OpenCX's own description
 * layout, an older or newer version of ours, a damaged or hand-edited one, speaker lines a rep typed.
 * Works line by line with bounded regular expressions (each applied to at most the first
 * PREFIX_WINDOW characters of a line), so no input can make it slow or make it throw.
 */

import { CONTINUATION_INDENT } from './constants.js';
import { decode } from './escape.js';
import { contactMatchFromText, VERIFICATION_TEXT_PATTERN, verificationFromText } from './labels.js';
import { isSafeHttpsUrl } from './normalize.js';
import { isDivider, readMarker, readSeparator } from './syntax.js';
import { canonicalFromMillis, canonicalTimestamp, utcMillis } from './timestamps.js';
import type { Customer, Role, Transcript, TranscriptHeader, Turn, Verification } from './types.js';

const PREFIX_WINDOW = 200;

const SPEAKER_ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['caller', 'contact'],
  ['customer', 'contact'],
  ['contact', 'contact'],
  ['user', 'contact'],
  ['visitor', 'contact'],
  ['client', 'contact'],
  ['ai', 'ai'],
  ['bot', 'ai'],
  ['assistant', 'ai'],
  ['ai agent', 'ai'],
  ['ai assistant', 'ai'],
  ['virtual assistant', 'ai'],
  ['virtual agent', 'ai'],
  ['agent', 'human_agent'],
  ['human agent', 'human_agent'],
  ['human_agent', 'human_agent'],
  ['human', 'human_agent'],
  ['operator', 'human_agent'],
  ['rep', 'human_agent'],
  ['representative', 'human_agent'],
  ['support', 'human_agent'],
  ['system', 'system'],
]);

type Detail = 'name' | 'email' | 'phone';

interface Marked {
  /** The line without its mark (still escaped when the text is ours). */
  rest: string;
  verification?: Verification;
  /** The mark as written, to put back if the value turns out to go on (a mark mid-value is text). */
  written: string;
}

function splitMark(raw: string): Marked {
  const tail = raw.slice(-MARK_WINDOW);
  const m = MARK.exec(tail);
  if (!m) return { rest: raw, written: '' };
  const verification = verificationFromText(m[1]);
  const cut = raw.length - tail.length + m.index;
  return { rest: raw.slice(0, cut), verification, written: raw.slice(cut) };
}

type LenientField =
  keyof Omit<TranscriptHeader, 'customer' | 'redactions'> | 'name' | 'email' | 'phone' | 'transcript';

const HEADER_KEYS: ReadonlyMap<string, LenientField> = new Map<string, LenientField>([
  ['channel', 'channel'],
  ['channel type', 'channel'],
  ['summary', 'summary'],
  ['classification', 'classification'],
  ['category', 'classification'],
  ['topic', 'classification'],
  ['contact reason', 'classification'],
  ['sentiment', 'sentiment'],
  ['language', 'language'],
  ['customer name', 'name'],
  ['caller name', 'name'],
  ['contact name', 'name'],
  ['name', 'name'],
  ['customer email', 'email'],
  ['contact email', 'email'],
  ['email', 'email'],
  ['e mail', 'email'],
  ['email address', 'email'],
  ['customer phone', 'phone'],
  ['caller phone', 'phone'],
  ['contact phone', 'phone'],
  ['phone', 'phone'],
  ['phone number', 'phone'],
  ['telephone', 'phone'],
  ['mobile', 'phone'],
  ['contact', 'contactMatch'],
  ['session', 'sessionId'],
  ['session id', 'sessionId'],
  ['session link', 'sessionUrl'],
  ['session url', 'sessionUrl'],
  ['link', 'sessionUrl'],
  ['url', 'sessionUrl'],
  ['handoff at', 'handoffAt'],
  ['handoff time', 'handoffAt'],
  ['handed off at', 'handoffAt'],
  ['handoff reason', 'handoffReason'],
  ['reason', 'handoffReason'],
  ['transcript', 'transcript'],
  ['conversation', 'transcript'],
]);

/** The OpenCX header lines that make a text recognisably OpenCX's layout. */
const OPENCX_FIELDS: ReadonlySet<LenientField> = new Set<LenientField>([
  'channel',
  'summary',
  'classification',
  'sentiment',
]);

const TIME = String.raw`(?:(\d{4}-\d{2}-\d{2})[Tt ])?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: ?([AaPp])\.?[Mm]\.?)?(?: ?(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?`;
const SPEAKER = String.raw`(\p{L}[\p{L}\p{M}\p{N} _.'-]{0,39}?)(?:[ \t]*\(([^()\n]{1,60})\))?`;
/** `[14:02:11] Caller: …`, `[2026-11-24 14:02:11] customer: …`, `14:02 - AI: …`, `(2:02 PM) Agent: …` */
const TIMED_FIRST = new RegExp(
  String.raw`^[ \t]*(?:\[${TIME}\]|\(${TIME}\)|${TIME})[ \t]*(?:[-–—|][ \t]*)?${SPEAKER}[ \t]*:[ \t]?`,
  'u',
);
/** `Caller [14:02:11]: …`, `customer (2026-11-24 14:02): …` */
const SPEAKER_FIRST = new RegExp(
  String.raw`^[ \t]*${SPEAKER}[ \t]*(?:\[${TIME}\]|\(${TIME}\))[ \t]*:[ \t]?`,
  'u',
);
/** `Caller: …` with a known speaker word and no time. */
const UNTIMED = new RegExp(String.raw`^[ \t]*${SPEAKER}[ \t]*:[ \t]?`, 'u');
const HEADER_LINE = /^[ \t]*([A-Z][A-Z _-]{0,30}?)[ \t]*:[ \t]?/i;
/** A verification mark at the end of a customer detail, in any case (applied to a line's tail only). */
// Only ever run on a line's last MARK_WINDOW characters: the leading [ \t]+ cannot backtrack far.
const MARK = new RegExp(String.raw`[ \t]+\((${VERIFICATION_TEXT_PATTERN})\)[ \t]*$`, 'i');
const MARK_WINDOW = 64;
const DATE_ONLY = /(?:^|\D)(\d{4}-\d{2}-\d{2})(?:\D|$)/;

interface TimeFields {
  date?: string;
  hour: string;
  minute: string;
  second?: string;
  fraction?: string;
  meridiem?: string;
  zone?: string;
}

/** Picks the TIME groups that matched out of one of its alternatives. */
function timeFields(groups: (string | undefined)[]): TimeFields | undefined {
  for (let at = 0; at + 7 <= groups.length; at += 7) {
    const [date, hour, minute, second, fraction, meridiem, zone] = groups.slice(at, at + 7);
    if (hour !== undefined && minute !== undefined) {
      return { date, hour, minute, second, fraction, meridiem, zone };
    }
  }
  return undefined;
}

function timestampFrom(fields: TimeFields, contextDate: string | undefined): string {
  const date = fields.date ?? contextDate;
  if (date === undefined) return '';
  let hour = Number(fields.hour);
  if (fields.meridiem !== undefined) {
    if (hour < 1 || hour > 12) return '';
    hour = (hour % 12) + (fields.meridiem.toLowerCase() === 'p' ? 12 : 0);
  }
  const millis = utcMillis(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)),
    Number(date.slice(8, 10)),
    hour,
    Number(fields.minute),
    Number(fields.second ?? 0),
    Number((fields.fraction ?? '').padEnd(3, '0').slice(0, 3)),
  );
  if (millis === undefined) return '';
  const zone = fields.zone;
  let offset = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'UTC' && zone !== 'GMT') {
    const digits = zone.slice(1).replace(':', '');
    offset =
      (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
  }
  return canonicalFromMillis(millis - offset * 60_000) ?? '';
}

interface TurnStart {
  role: Role;
  name?: string;
  at: string;
  text: string;
  timed: boolean;
  /** The speaker label was one we know (not a guessed name). */
  known: boolean;
}

function speakerRole(label: string, named: string | undefined): { role: Role; name?: string } | undefined {
  const role = SPEAKER_ROLES.get(label.trim().toLowerCase().replace(/\s+/g, ' '));
  if (role !== undefined) return named === undefined ? { role } : { role, name: named.trim() };
  return undefined;
}

function readTurnStart(line: string, contextDate: string | undefined): TurnStart | undefined {
  const window = line.slice(0, PREFIX_WINDOW);
  const timed = TIMED_FIRST.exec(window);
  if (timed) {
    const fields = timeFields(timed.slice(1, 22));
    const label = timed[22];
    // With a time in front, an unknown label is still a speaker: most likely a person's name.
    const knownSpeaker = speakerRole(label, timed[23]);
    const speaker = knownSpeaker ?? { role: 'contact' as Role, name: label.trim() };
    return {
      ...speaker,
      known: knownSpeaker !== undefined,
      at: fields ? timestampFrom(fields, contextDate) : '',
      text: line.slice(timed[0].length),
      timed: true,
    };
  }
  const speakerFirst = SPEAKER_FIRST.exec(window);
  if (speakerFirst) {
    const speaker = speakerRole(speakerFirst[1], speakerFirst[2]);
    const fields = timeFields(speakerFirst.slice(3, 17));
    if (speaker && fields) {
      return {
        ...speaker,
        at: timestampFrom(fields, contextDate),
        text: line.slice(speakerFirst[0].length),
        timed: true,
        known: true,
      };
    }
  }
  // Our own "time unknown" turn line.
  const unknownTime = window.startsWith('[--:--:--] ') ? '[--:--:--] '.length : 0;
  const untimed = UNTIMED.exec(window.slice(unknownTime));
  if (untimed && unknownTime > 0) {
    const speaker = speakerRole(untimed[1], untimed[2]);
    if (speaker) {
      return {
        ...speaker,
        at: '',
        text: line.slice(unknownTime + untimed[0].length),
        timed: true,
        known: true,
      };
    }
  }
  if (untimed && unknownTime === 0) {
    const speaker = speakerRole(untimed[1], untimed[2]);
    if (speaker) {
      return { ...speaker, at: '', text: line.slice(untimed[0].length), timed: false, known: true };
    }
  }
  return undefined;
}

function isDetail(field: LenientField): field is Detail {
  return field === 'name' || field === 'email' || field === 'phone';
}

function setHeaderField(
  header: TranscriptHeader,
  customer: Customer,
  field: LenientField,
  value: string,
): void {
  const trimmed = value.trim();
  if (trimmed === '') return;
  switch (field) {
    case 'name':
    case 'email':
    case 'phone':
      customer[field] = trimmed;
      return;
    case 'sessionUrl': {
      // The value must be the link itself: never dig a link out of other text.
      const url = trimmed.split(/\s/)[0];
      if (url !== undefined && isSafeHttpsUrl(url)) header.sessionUrl = url;
      return;
    }
    case 'handoffAt': {
      const at = canonicalTimestamp(trimmed.replace(/ UTC$/, 'Z'));
      if (at !== undefined) header.handoffAt = at;
      return;
    }
    case 'contactMatch': {
      const match = contactMatchFromText(trimmed);
      if (match !== undefined) header.contactMatch = match;
      return;
    }
    case 'transcript':
      return;
    default:
      header[field] = value;
  }
}

/** A header line (`Key: value`) with a key we know; `Contact:` only when its value is a match we know. */
function readHeaderLine(line: string): { field: LenientField; value: string } | undefined {
  const m = HEADER_LINE.exec(line.slice(0, PREFIX_WINDOW));
  if (!m) return undefined;
  const field = HEADER_KEYS.get(
    m[1]
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, ' '),
  );
  if (field === undefined) return undefined;
  const value = line.slice(m[0].length);
  if (field === 'contactMatch' && contactMatchFromText(value.trim()) === undefined) return undefined;
  return { field, value };
}

export interface LenientReading {
  transcript: Transcript;
  source: string;
}

interface Collected {
  header: TranscriptHeader;
  customer: Customer;
  /** The mark at the end of each customer detail read so far. */
  marks: Partial<Record<Detail, Marked>>;
  turns: Turn[];
  after: Turn[] | undefined;
  headerFields: Set<LenientField>;
  /** Turns by kind of evidence: with a time, with a time and a known speaker, known speaker only. */
  timedTurns: number;
  knownTimedTurns: number;
  knownUntimedTurns: number;
}

/** Reads what it can; undefined when the text does not look like a transcript at all. */
export function parseLenient(lines: string[]): LenientReading | undefined {
  const ours = lines.some((line) => readSeparator(line) !== undefined);
  const unescape = (text: string): string => (ours ? decode(text).text : text);
  const c: Collected = {
    header: {},
    customer: {},
    marks: {},
    turns: [],
    after: undefined,
    headerFields: new Set(),
    timedTurns: 0,
    knownTimedTurns: 0,
    knownUntimedTurns: 0,
  };
  let date: string | undefined;
  let version: number | undefined;
  let turn: Turn | undefined;
  let headerField: LenientField | undefined;
  let pendingBlank = 0;

  for (const line of lines) {
    const separator = readSeparator(line);
    if (separator) {
      version ??= separator.version;
      date = separator.date ?? date;
      turn = undefined;
      headerField = undefined;
      continue;
    }
    if (isDivider(line)) {
      c.after ??= [];
      turn = undefined;
      continue;
    }
    if (readMarker(line)) {
      turn = undefined;
      continue;
    }
    const header = c.turns.length === 0 && !turn ? readHeaderLine(line) : undefined;
    if (header) {
      c.headerFields.add(header.field);
      const detail = isDetail(header.field) ? header.field : undefined;
      const marked = detail === undefined ? undefined : splitMark(header.value);
      const value = unescape(marked ? marked.rest : header.value);
      setHeaderField(c.header, c.customer, header.field, value);
      if (detail !== undefined && value.trim() !== '') {
        if (marked?.verification) c.marks[detail] = marked;
        else delete c.marks[detail];
      }
      if (header.field === 'handoffAt' && c.header.handoffAt !== undefined) {
        date ??= c.header.handoffAt.slice(0, 10);
      }
      headerField = header.field;
      pendingBlank = 0;
      continue;
    }
    const start = readTurnStart(line, date);
    if (start) {
      turn = { at: start.at, role: start.role, text: unescape(start.text) };
      if (start.name !== undefined && start.name !== '') turn.name = start.name;
      if (start.at !== '') date = start.at.slice(0, 10);
      if (start.timed) c.timedTurns++;
      if (start.timed && start.known) c.knownTimedTurns++;
      if (!start.timed && start.known) c.knownUntimedTurns++;
      (c.after ?? c.turns).push(turn);
      headerField = undefined;
      pendingBlank = 0;
      continue;
    }
    if (line.trim() === '') {
      pendingBlank++;
      headerField = undefined;
      continue;
    }
    if (turn) {
      const continuation = line.startsWith(CONTINUATION_INDENT)
        ? line.slice(CONTINUATION_INDENT.length)
        : line;
      turn.text += '\n'.repeat(pendingBlank + 1) + unescape(continuation);
      pendingBlank = 0;
      continue;
    }
    if (headerField !== undefined && line.startsWith(CONTINUATION_INDENT)) {
      const key = headerField;
      const current = isDetail(key) ? c.customer[key] : undefined;
      if (isDetail(key) && current !== undefined) {
        // The mark ends the value: one seen on an earlier line was text after all.
        const earlier = c.marks[key]?.written ?? '';
        const marked = splitMark(line.slice(4));
        c.customer[key] = `${current}${unescape(earlier)}\n${unescape(marked.rest)}`;
        if (marked.verification) c.marks[key] = marked;
        else delete c.marks[key];
      } else if (!isDetail(key) && key !== 'transcript') {
        const value = c.header[key];
        if (typeof value === 'string')
          setHeaderField(c.header, c.customer, key, `${value}\n${unescape(line.slice(4))}`);
      }
      continue;
    }
    pendingBlank = 0;
    headerField = undefined;
    const dateOnly = DATE_ONLY.exec(line.slice(0, PREFIX_WINDOW));
    if (dateOnly && line.trim().length <= 40) date = dateOnly[1];
  }

  const opencxHeader = [...c.headerFields].filter((f) => OPENCX_FIELDS.has(f)).length;
  const looksLikeTranscript =
    version !== undefined ||
    opencxHeader >= 2 ||
    c.knownTimedTurns >= 1 ||
    c.timedTurns >= 2 ||
    c.knownUntimedTurns >= 2;
  if (!looksLikeTranscript) return undefined;

  const verification: NonNullable<Customer['verification']> = {};
  for (const detail of ['name', 'email', 'phone'] as const) {
    const mark = c.marks[detail]?.verification;
    if (mark !== undefined && c.customer[detail] !== undefined) verification[detail] = mark;
  }
  if (Object.keys(verification).length > 0) c.customer.verification = verification;
  if (Object.keys(c.customer).length > 0) c.header.customer = c.customer;
  const transcript: Transcript = { header: c.header, turns: c.turns };
  if (c.after) transcript.afterHandoff = c.after;
  const source =
    version !== undefined
      ? `transcript v${version}${version === 1 ? ' (edited)' : ''}`
      : opencxHeader > 0 || c.timedTurns > 0
        ? 'opencx'
        : 'speaker lines';
  return { transcript, source };
}
