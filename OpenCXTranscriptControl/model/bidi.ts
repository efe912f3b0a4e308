/**
 * Pure: bidirectional-text safety for what a caller said. The invisible bidi controls (embeddings and
 * overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C) let text reorder
 * what follows them: `invoice<U+202E>gnp.exe` reads as `invoiceexe.png`. The control shows each one as a
 * visible marker, `⟦U+202E⟧`, on screen and in what it copies and downloads, so a rep reads the text in
 * the order it was stored and the three agree. Arabic and Hebrew need none of them to read correctly:
 * the Unicode bidi algorithm orders them from their letters (and each turn is isolated with dir="auto").
 */
import type { Transcript, TranscriptHeader, Turn } from '@opencx-d365/transcript-format';

const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** The same set, without the global flag (a `g` regex's test() keeps state between calls). */
const ANY_BIDI_CONTROL = new RegExp(BIDI_CONTROLS.source);

/** `⟦U+202E⟧` for U+202E: visible, copyable, made of ordinary characters that reorder nothing. */
export function bidiMarker(control: string): string {
  return `⟦U+${control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟧`;
}

/** True for a value where the reader has put a marker (so it must be shown as stored, not reformatted). */
export function hasBidiMarker(text: string): boolean {
  return /⟦U\+[0-9A-F]{4,6}⟧/.test(text);
}

export function hasBidiControls(text: string): boolean {
  return ANY_BIDI_CONTROL.test(text);
}

/** The text with every bidi control replaced by its visible marker; other text unchanged. */
export function revealBidiControls(text: string): string;
export function revealBidiControls(text: string | undefined): string | undefined;
export function revealBidiControls(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.replace(BIDI_CONTROLS, bidiMarker);
}

/** For values that go on into a form field or a search (a phone number): the controls removed. */
export function stripBidiControls(text: string | undefined): string | undefined {
  return text?.replace(BIDI_CONTROLS, '');
}

function revealTurn(turn: Turn): Turn {
  if (!hasBidiControls(turn.text) && !hasBidiControls(turn.name ?? '')) return turn;
  return { ...turn, text: revealBidiControls(turn.text), name: revealBidiControls(turn.name) };
}

function revealHeader(header: TranscriptHeader): TranscriptHeader {
  const out: TranscriptHeader = { ...header };
  for (const key of Object.keys(out) as (keyof TranscriptHeader)[]) {
    const value = out[key];
    if (typeof value === 'string') (out as Record<string, unknown>)[key] = revealBidiControls(value);
  }
  if (header.customer)
    out.customer = {
      ...header.customer,
      name: revealBidiControls(header.customer.name),
      email: revealBidiControls(header.customer.email),
      phone: revealBidiControls(header.customer.phone),
    };
  if (header.redactions)
    out.redactions = Object.fromEntries(
      Object.entries(header.redactions).map(([kind, n]) => [revealBidiControls(kind), n]),
    );
  return out;
}

/** Every string a rep reads from a transcript (header values, speaker names, turns) with markers. */
export function revealTranscript(transcript: Transcript): Transcript {
  return {
    header: revealHeader(transcript.header),
    turns: transcript.turns.map(revealTurn),
    ...(transcript.afterHandoff ? { afterHandoff: transcript.afterHandoff.map(revealTurn) } : {}),
  };
}
