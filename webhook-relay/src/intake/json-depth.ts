/**
 * How deep a JSON text nests, read from its bytes before anything parses it. `JSON.parse` copes with any
 * depth, but everything after it (the schema validator, `JSON.stringify` when the record is stored) recurses,
 * and a million `[` under `data` ended in "Maximum call stack size exceeded". One pass, constant memory,
 * stopping as soon as the limit is passed.
 */

/** Deeper than any handoff document (4 levels) or OpenCX event we read, and far from any stack limit. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether `bytes` (UTF-8; every byte of a multi-byte character is >= 0x80, so none is mistaken for a
 * bracket or a quote) opens more than `limit` objects or arrays inside one another. Brackets inside strings
 * do not count. Malformed JSON is left for `JSON.parse` to refuse.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
  }
  return false;
}
