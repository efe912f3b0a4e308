import { fit } from './fit.js';
import { normalizeTranscript } from './normalize.js';
import { fullBody, fullHeader, prepare } from './prepare.js';
import type { Transcript } from './types.js';

export interface WriteOptions {
  /** Fit the text to this many UTF-16 code units (see `fit`). */
  maxLength?: number;
  /** Where the full text is, named in the marker line when turns are left out. */
  fullTextRef?: string;
}

/** The transcript as text (GRAMMAR.md): in full, or fitted when `maxLength` is given. */
export function write(t: Transcript, options: WriteOptions = {}): string {
  if (options.maxLength !== undefined) {
    return fit(t, { maxLength: options.maxLength, fullTextRef: options.fullTextRef }).text;
  }
  const p = prepare(normalizeTranscript(t));
  return fullHeader(p) + fullBody(p);
}
