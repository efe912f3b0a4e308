/** Test-only mapper from a handoff document (spec §3.2) to a Transcript; the relay has its own. */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Role, Transcript } from '../../src/index.js';

interface HandoffDocument {
  session_id: string;
  handoff_at: string;
  channel?: string;
  reason?: string;
  classification?: string;
  contact_reason?: string;
  summary?: string;
  sentiment?: string;
  language?: string;
  customer?: { name?: string; email?: string; phone?: string };
  session_url?: string;
  messages: { at: string; role: Role; name?: string; text: string }[];
}

export function handoffToTranscript(doc: HandoffDocument): Transcript {
  return {
    header: {
      channel: doc.channel ?? 'phone_voice',
      summary: doc.summary,
      classification: doc.classification ?? doc.contact_reason,
      sentiment: doc.sentiment,
      language: doc.language,
      customer: doc.customer,
      sessionId: doc.session_id,
      sessionUrl: doc.session_url,
      handoffAt: doc.handoff_at,
      handoffReason: doc.reason,
    },
    turns: doc.messages.map((m) => ({ at: m.at, role: m.role, name: m.name, text: m.text })),
  };
}

const fixturesDir = path.join(import.meta.dirname, '..', 'fixtures');

export function loadFixtures(): { name: string; doc: HandoffDocument }[] {
  return readdirSync(fixturesDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.json$/, ''),
      doc: JSON.parse(readFileSync(path.join(fixturesDir, file), 'utf8')) as HandoffDocument,
    }));
}
