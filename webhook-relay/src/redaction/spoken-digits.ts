/**
 * Finds the digits in a text, typed or spoken, with the span each comes from: "4111" (ASCII or
 * Arabic-Indic, Persian, Devanagari, full-width digits), "four", "oh", "eleven", "forty-one", "double
 * four". Digits glued to letters are part of a code ("A20391", "1st", "x12", "NW-R7") and not read.
 *
 * A token is a word (letters and marks, with inner apostrophes: "o'clock" is not "o") or a sequence of
 * digits: the tokens of `/([\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*)|([digits]+)/gu`. Intake redacts every
 * handoff on the request path, so the text is scanned once, character by character, with no match object
 * or substring per word: an ASCII word is looked up in a trie of the digit words while it is scanned, and
 * only a word with a character beyond ASCII is normalised first. Linear in the length of the text
 * (test/redaction/scanner.test.ts checks that it finds what that regular expression's tokens give).
 */
import { languagesFor, REPEATS, TEENS, TENS, UNITS, wordKey } from './digit-words.js';

export interface DigitItem {
  /** Span in the text (UTF-16 offsets, end exclusive). */
  start: number;
  end: number;
  /** The digits it stands for, in ASCII. */
  digits: string;
  /** Said as words rather than typed as digits. */
  spoken: boolean;
}

/** Code points of the zero of each script whose digits are read (ASCII, Arabic-Indic, Persian, Devanagari, full-width). */
const ZEROS = [0x30, 0x660, 0x6f0, 0x966, 0xff10];
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;

/** What a dictionary word stands for, in the precedence the readings have: a unit, a teen, a tens word, a repeat. */
type Reading =
  | { kind: 'unit'; digit: string }
  | { kind: 'teen'; digits: string }
  | { kind: 'tens'; digit: string }
  | { kind: 'repeat'; times: number };

/**
 * The digit words of some languages as a trie over the lower-case ASCII letters: a word is looked up
 * while it is scanned, letter by letter, without making a string of it. Keys beyond ASCII ("fünf" is
 * "funf") are reached by normalising the word first (wordKey).
 */
interface TrieNode {
  next: Array<TrieNode | undefined>;
  reading?: Reading;
}

const newNode = (): TrieNode => ({ next: new Array<TrieNode | undefined>(26) });

function insert(root: TrieNode, key: string, reading: Reading): void {
  let node = root;
  for (let i = 0; i < key.length; i += 1) {
    const letter = key.charCodeAt(i) - 0x61;
    node = node.next[letter] ??= newNode();
  }
  node.reading = reading;
}

function lookup(root: TrieNode, key: string): Reading | undefined {
  let node: TrieNode | undefined = root;
  for (let i = 0; i < key.length && node; i += 1) {
    const letter = key.charCodeAt(i) - 0x61;
    node = letter >= 0 && letter < 26 ? node.next[letter] : undefined;
  }
  return node?.reading;
}

const lexicons = new Map<string, TrieNode>();

/** Every digit word read for these languages (English first), built once per language list. */
function lexiconFor(languages: readonly string[]): TrieNode {
  const id = languages.join(',');
  const known = lexicons.get(id);
  if (known) return known;
  const root = newNode();
  for (const [key, times] of Object.entries(REPEATS)) insert(root, key, { kind: 'repeat', times });
  for (const [key, digit] of Object.entries(TENS)) insert(root, key, { kind: 'tens', digit });
  for (const [key, digits] of Object.entries(TEENS)) insert(root, key, { kind: 'teen', digits });
  // A unit in any language read wins; the first language listed wins among them.
  for (const lang of [...languages].reverse())
    for (const [key, digit] of Object.entries(UNITS[lang] ?? {})) insert(root, key, { kind: 'unit', digit });
  lexicons.set(id, root);
  return root;
}

/** Whether the code point is a letter or a combining mark; BMP answers are cached (most texts use few). */
const bmpLetters = new Uint8Array(0x10000);
function isLetterOrMark(code: number): boolean {
  if (code < 0x80) return (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
  if (code < 0x10000) {
    const known = bmpLetters[code];
    if (known) return known === 1;
    const letter = LETTER_OR_MARK.test(String.fromCharCode(code));
    bmpLetters[code] = letter ? 1 : 2;
    return letter;
  }
  return LETTER_OR_MARK.test(String.fromCodePoint(code));
}

/** The value of a digit of a script that is read, or -1. */
function digitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code < 0x660) return -1;
  for (const zero of ZEROS) if (code >= zero && code <= zero + 9) return code - zero;
  return -1;
}

/** The code point starting at `i` (a lone surrogate stands for itself, as in a `u` regular expression). */
const codePointAt = (text: string, i: number) => text.codePointAt(i) ?? -1;

/** The code point ending just before `i`. */
function codePointBefore(text: string, i: number): number {
  if (i <= 0) return -1;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

const width = (code: number) => (code > 0xffff ? 2 : 1);
const isApostrophe = (code: number) => code === 0x27 || code === 0x2019;
/** What may stand between the two words of "forty-one" or "double four". */
const isCompoundGap = (code: number) =>
  code === 0x20 || code === 0xa0 || code === 0x2d || code === 0x2010 || code === 0x2011;

/**
 * Walks the tokens of a text: after `advance()` answers true, `start`/`end` are the token's span, `word`
 * says whether it is a word, and for a word `reading` is the digit word it is (if any). One object per
 * text, no allocation per token.
 */
class Tokens {
  start = 0;
  end = 0;
  word = false;
  reading: Reading | undefined = undefined;

  constructor(
    private readonly text: string,
    private readonly lexicon: TrieNode,
  ) {}

  /** Moves to the first token at or after `from`; false at the end of the text. */
  advance(from: number): boolean {
    const text = this.text;
    const length = text.length;
    for (let i = from; i < length;) {
      const unit = text.charCodeAt(i);
      // ASCII first: most of a transcript is ASCII letters, spaces and punctuation.
      if (unit < 0x80) {
        const lower = unit | 0x20;
        if (lower >= 0x61 && lower <= 0x7a) {
          this.scanWord(i);
          return true;
        }
        if (unit >= 0x30 && unit <= 0x39) {
          this.scanDigits(i);
          return true;
        }
        i += 1;
        continue;
      }
      const code = unit >= 0xd800 && unit <= 0xdbff ? codePointAt(text, i) : unit;
      if (digitValue(code) >= 0) {
        this.scanDigits(i);
        return true;
      }
      if (isLetterOrMark(code)) {
        this.scanWord(i);
        return true;
      }
      i += width(code);
    }
    return false;
  }

  private scanDigits(start: number) {
    const text = this.text;
    let end = start + 1;
    while (end < text.length && digitValue(text.charCodeAt(end)) >= 0) end += 1;
    this.set(start, end, false, undefined);
  }

  private set(start: number, end: number, word: boolean, reading: Reading | undefined) {
    this.start = start;
    this.end = end;
    this.word = word;
    this.reading = reading;
  }

  /** A word starting at `start`: runs of letters and marks joined by an apostrophe a letter or mark follows. */
  private scanWord(start: number) {
    const text = this.text;
    const length = text.length;
    let end = start;
    let ascii = true;
    let node: TrieNode | undefined = this.lexicon;
    for (;;) {
      while (end < length) {
        const unit = text.charCodeAt(end);
        if (unit < 0x80) {
          const lower = unit | 0x20;
          if (lower < 0x61 || lower > 0x7a) break;
          node = node?.next[lower - 0x61];
          end += 1;
          continue;
        }
        const code = unit >= 0xd800 && unit <= 0xdbff ? codePointAt(text, end) : unit;
        if (!isLetterOrMark(code)) break;
        ascii = false;
        end += width(code);
      }
      if (
        end + 1 < length &&
        isApostrophe(text.charCodeAt(end)) &&
        isLetterOrMark(codePointAt(text, end + 1))
      ) {
        // No digit word has an apostrophe in it.
        node = undefined;
        end += 1;
        continue;
      }
      break;
    }
    const reading = ascii ? node?.reading : lookup(this.lexicon, wordKey(text.slice(start, end)));
    this.set(start, end, true, reading);
  }
}

function asciiDigits(text: string, start: number, end: number): string {
  for (let i = start; i < end; i += 1)
    if (text.charCodeAt(i) > 0x39)
      return [...text.slice(start, end)].map((c) => digitValue(c.charCodeAt(0))).join('');
  return text.slice(start, end);
}

/** The digits of a text, read with the digit words of `language` (a BCP 47 tag) and English. */
export function digitItems(text: string, language?: string): DigitItem[] {
  return digitReader(language)(text);
}

/** `digitItems` for many texts in one language: the language's words are looked up once. */
export function digitReader(language?: string): (text: string) => DigitItem[] {
  const lexicon = lexiconFor(languagesFor(language));
  return (text) => readDigits(text, lexicon);
}

function readDigits(text: string, lexicon: TrieNode): DigitItem[] {
  const tokens = new Tokens(text, lexicon);
  const items: DigitItem[] = [];
  /** The unit digit of the word right after the current one across one compound gap, and where it ends. */
  const nextUnit = (after: number) => {
    if (!isCompoundGap(text.charCodeAt(after))) return undefined;
    if (!tokens.advance(after + 1) || !tokens.word || tokens.start !== after + 1) return undefined;
    const reading = tokens.reading;
    return reading?.kind === 'unit' ? { digit: reading.digit, end: tokens.end } : undefined;
  };

  let at = 0;
  while (tokens.advance(at)) {
    const { start, end, reading } = tokens;
    at = end;
    if (!tokens.word) {
      const glued = isLetterOrMark(codePointBefore(text, start)) || isLetterOrMark(codePointAt(text, end));
      if (!glued) items.push({ start, end, digits: asciiDigits(text, start, end), spoken: false });
      continue;
    }
    if (!reading) continue;
    const push = (digits: string, to = end) => items.push({ start, end: to, digits, spoken: true });
    switch (reading.kind) {
      case 'unit':
        push(reading.digit);
        break;
      case 'teen':
        push(reading.digits);
        break;
      case 'tens': {
        const next = nextUnit(end);
        if (next && next.digit !== '0') {
          push(reading.digit + next.digit, next.end);
          at = next.end;
        } else push(`${reading.digit}0`);
        break;
      }
      case 'repeat': {
        const next = nextUnit(end);
        if (next) {
          push(next.digit.repeat(reading.times), next.end);
          at = next.end;
        }
        break;
      }
    }
  }
  return items;
}
