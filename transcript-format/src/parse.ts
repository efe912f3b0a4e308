import { parseLenient } from './parse-lenient.js';
import { parseV1 } from './parse-v1.js';
import { splitLines } from './syntax.js';
import type { ParsedDescription } from './types.js';

/**
 * Reads a description: our format (kind `transcript`), something transcript-like that is not strictly
 * ours (`best-effort`), anything else (`plain`, the text unchanged), or nothing (`empty`). Never throws.
 */
export function parse(text: string): ParsedDescription {
  if (typeof text !== 'string' || text.trim() === '') return { kind: 'empty' };
  try {
    const lines = splitLines(text);
    const strict = parseV1(lines);
    if (strict) return strict;
    const lenient = parseLenient(lines);
    if (lenient) return { kind: 'best-effort', ...lenient };
  } catch {
    // The readers are written not to throw; this keeps a reader bug from ever reaching a rep's form.
  }
  return { kind: 'plain', text };
}
