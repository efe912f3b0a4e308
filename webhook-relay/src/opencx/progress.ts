/**
 * What a record keeps of a history read that gave up part of the way (client.ts: HistoryProgress). The
 * turns are customer data, so only their redacted form is ever kept: the same redaction the document
 * built from them gets (it redacts each text alone, in the call's language), so redacting them again
 * when the document is built changes nothing.
 */
import type { HistoryProgress, OpenCxHistoryItem } from './client.js';

/** Redacts the `text` of each item in `language`, keeping the rest of each item (delivery's redactTexts). */
export type TextRedactor = <T extends { text: string }>(items: T[], language: string | undefined) => T[];

export function redactedProgress(
  progress: HistoryProgress,
  language: string | undefined,
  redact: TextRedactor | undefined,
): HistoryProgress {
  if (!redact) return progress;
  const texts = progress.items.flatMap((item, index) => {
    const text = item.event.content?.text;
    return typeof text === 'string' ? [{ index, text }] : [];
  });
  const items: OpenCxHistoryItem[] = [...progress.items];
  for (const { index, text } of redact(texts, language)) {
    const item = progress.items[index];
    items[index] = { ...item, event: { ...item.event, content: { ...item.event.content, text } } };
  }
  return { ...progress, items };
}
