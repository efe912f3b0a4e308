/**
 * The escaping scheme (GRAMMAR.md, "Escaping"). The escape character is the backslash. Every value is
 * written with `\\` for a backslash and `\r` for a carriage return, so no raw CR ever appears in our
 * output and a host that turns line feeds into CRLF cannot change a value. Line feeds inside multi-line
 * values become continuation lines; in single-line fields (speaker names, redaction kinds, the marker's
 * reference) they are written `\n`. A few fields also escape their own closing character.
 */

import { CONTINUATION_INDENT, ELLIPSIS } from './constants.js';

const NEEDS_ESCAPE_MULTILINE = /[\\\r]/;

function escapeChars(text: string, special: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    let replacement: string | undefined;
    if (c === '\\') replacement = '\\\\';
    else if (c === '\r') replacement = '\\r';
    else if (c === '\n') replacement = '\\n';
    else if (special.includes(c)) replacement = `\\${c}`;
    if (replacement !== undefined) {
      out += text.slice(from, i) + replacement;
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** One line of a multi-line value (no LF inside). */
function escapeSegment(segment: string): string {
  return NEEDS_ESCAPE_MULTILINE.test(segment) ? escapeChars(segment, '') : segment;
}

/**
 * Encodes a multi-line value: the first line goes after its label, the others on continuation lines.
 * With `protectTrailingEllipsis`, a value that really ends in `…` gets it written `\…`, so that an
 * unescaped final `…` always means "shortened by fit".
 */
export function encodeMultiline(value: string, protectTrailingEllipsis = false): string {
  const segments = value.split('\n');
  let encoded = segments.map(escapeSegment).join(`\n${CONTINUATION_INDENT}`);
  if (protectTrailingEllipsis && encoded.endsWith(ELLIPSIS)) {
    encoded = `${encoded.slice(0, -1)}\\${ELLIPSIS}`;
  }
  return encoded;
}

/** Encodes a single-line field; `special` lists the extra characters that must be escaped there. */
export function encodeInline(value: string, special = ''): string {
  return escapeChars(value, special);
}

export interface Decoded {
  text: string;
  /** True when the text ended with an `…` that was not escaped. */
  endsWithBareEllipsis: boolean;
}

/**
 * Decodes escapes. Unknown escapes and a trailing lone backslash are kept as written: the reader is
 * lenient, and our writer never produces them.
 */
export function decode(raw: string): Decoded {
  if (!raw.includes('\\')) {
    return { text: raw, endsWithBareEllipsis: raw.endsWith(ELLIPSIS) };
  }
  let out = '';
  let lastEscaped = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    lastEscaped = false;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1];
      i++;
      lastEscaped = true;
      if (next === 'r') out += '\r';
      else if (next === 'n') out += '\n';
      else if (next === '\\' || next === ')' || next === ';' || next === ELLIPSIS) out += next;
      else {
        out += c + next;
        lastEscaped = false;
      }
    } else {
      out += c;
    }
  }
  return { text: out, endsWithBareEllipsis: !lastEscaped && out.endsWith(ELLIPSIS) };
}

/** Index of the first occurrence of `char` in `raw` that is not escaped, or -1. */
export function indexOfUnescaped(raw: string, char: string, from = 0): number {
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') i++;
    else if (c === char) return i;
  }
  return -1;
}

/** Splits `raw` at every unescaped `char`. */
export function splitUnescaped(raw: string, char: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let at = indexOfUnescaped(raw, char); at !== -1; at = indexOfUnescaped(raw, char, from)) {
    parts.push(raw.slice(from, at));
    from = at + 1;
  }
  parts.push(raw.slice(from));
  return parts;
}

/**
 * Encoded length, in UTF-16 code units, of `value[0..i)` for every i, as written by `encodeMultiline`
 * (without the trailing-ellipsis protection). Lets fit cut a value to an encoded budget in one pass.
 */
export function encodedPrefixLengths(value: string): Uint32Array {
  const lengths = new Uint32Array(value.length + 1);
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    total += c === '\\' || c === '\r' ? 2 : c === '\n' ? 1 + CONTINUATION_INDENT.length : 1;
    lengths[i + 1] = total;
  }
  return lengths;
}
