/** The project's handoff fixtures, written the way the relay writes them (transcript-format). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fit, write, type ContactMatch, type Transcript, type Turn } from '@opencx-d365/transcript-format';
import type { HandoffDocument } from '../../webhook-relay/src/handoff/document';
import { transcriptOf } from '../../webhook-relay/src/delivery/transcript';

const DIR = path.join(import.meta.dirname, '../../webhook-relay/test/fixtures/handoffs');

export const FIXTURE_NAMES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

export function handoff(name: string): HandoffDocument {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as HandoffDocument;
}

export function transcript(name: string, match: ContactMatch = 'none'): Transcript {
  return transcriptOf(handoff(name), match);
}

/** The description the relay would write for a fixture, optionally fitted to a column length. */
export function descriptionOf(name: string, maxLength?: number): string {
  const t = transcript(name);
  if (maxLength === undefined) return write(t);
  return fit(t, { maxLength, fullTextRef: `note "OpenCX transcript ${t.header.sessionId ?? ''}"` }).text;
}

/** A synthetic call of `count` turns, one second apart, for long-transcript tests. */
export function longTranscript(count: number): Transcript {
  const start = Date.parse('2026-11-24T14:00:00Z');
  const turns: Turn[] = Array.from({ length: count }, (_, i) => ({
    at: new Date(start + i * 1000).toISOString().replace('.000Z', 'Z'),
    role: i % 2 === 0 ? 'contact' : 'ai',
    text: `Turn number ${i + 1}: ${i % 2 === 0 ? 'the caller asks about parcel' : 'the assistant answers about parcel'} ${1000 + i}`,
  }));
  return {
    header: {
      channel: 'phone_voice',
      classification: 'Long call',
      sessionId: 'long-session',
      handoffAt: new Date(start + count * 1000).toISOString().replace('.000Z', 'Z'),
      handoffReason: 'caller_asked_for_a_human',
      customer: { name: 'Tomás Herrera', phone: '+14155550122' },
    },
    turns,
  };
}
