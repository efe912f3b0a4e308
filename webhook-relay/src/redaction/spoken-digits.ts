/**
 * Finds the digits in a text, typed or spoken, with the span each comes from: "4111" (ASCII or
 * Arabic-Indic, Persian, Devanagari, full-width digits), "four", "oh", "eleven", "forty-one", "double
 * four". Digits glued to letters are part of a code ("A20391", "1st", "x12", "NW-R7") and not read.
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
const DIGIT = '0-9\\u0660-\\u0669\\u06F0-\\u06F9\\u0966-\\u096F\\uFF10-\\uFF19';
/** A word (letters and marks, with inner apostrophes: "o'clock" is not "o"), or a sequence of digits. */
const TOKEN = new RegExp(`([\\p{L}\\p{M}]+(?:['’][\\p{L}\\p{M}]+)*)|[${DIGIT}]+`, 'gu');
/** What may stand between the two words of "forty-one" or "double four". */
const COMPOUND_GAP = /^[ \u00a0\-\u2010\u2011]$/;

interface Token {
  start: number;
  end: number;
  text: string;
  word: boolean;
}

/** The digits of the other scripts, each replaced by its ASCII digit. */
const NON_ASCII_DIGIT = /[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\uFF10-\uFF19]/g;

/**
 * One replace rather than a string grown a character at a time: a run can be a megabyte of digits, and a
 * million appends cost V8 about 100 times what 100,000 do (bench/adversarial.mjs, issue 29).
 */
function toAscii(digits: string): string {
  return digits.replace(NON_ASCII_DIGIT, (char) => {
    const code = char.charCodeAt(0);
    return String(code - (ZEROS.find((zero) => code >= zero && code <= zero + 9) ?? 0x30));
  });
}

export function digitItems(text: string, language?: string): DigitItem[] {
  const languages = languagesFor(language);
  const unitOf = (key: string) => {
    for (const lang of languages) {
      const digit = UNITS[lang]?.[key];
      if (digit !== undefined) return digit;
    }
    return undefined;
  };
  const tokens: Token[] = [];
  for (const match of text.matchAll(TOKEN))
    tokens.push({
      start: match.index,
      end: match.index + match[0].length,
      text: match[0],
      word: match[1] !== undefined,
    });
  /** The next token when it is a word right after `token` across a compound gap, with its unit digit. */
  const nextUnit = (index: number) => {
    const next = tokens[index + 1];
    if (!next?.word || !COMPOUND_GAP.test(text.slice(tokens[index].end, next.start))) return undefined;
    const digit = unitOf(wordKey(next.text));
    return digit === undefined ? undefined : { token: next, digit };
  };

  const items: DigitItem[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (!token.word) {
      const before = tokens[i - 1];
      const after = tokens[i + 1];
      const glued =
        (before?.word && before.end === token.start) || (after?.word && after.start === token.end);
      if (!glued)
        items.push({ start: token.start, end: token.end, digits: toAscii(token.text), spoken: false });
      continue;
    }
    const key = wordKey(token.text);
    const push = (digits: string, end = token.end) =>
      items.push({ start: token.start, end, digits, spoken: true });
    const unit = unitOf(key);
    if (unit !== undefined) {
      push(unit);
    } else if (key in TEENS) {
      push(TEENS[key]);
    } else if (key in TENS) {
      const next = nextUnit(i);
      if (next && next.digit !== '0') {
        push(TENS[key] + next.digit, next.token.end);
        i += 1;
      } else push(`${TENS[key]}0`);
    } else if (key in REPEATS) {
      const next = nextUnit(i);
      if (next) {
        push(next.digit.repeat(REPEATS[key]), next.token.end);
        i += 1;
      }
    }
  }
  return items;
}
