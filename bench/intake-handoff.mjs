// The handoff the intake benchmarks send, and what to look for in the store afterwards: about 4 KB, the
// full-details fixture with its conversation repeated, in which the caller gives a card number three ways
// (grouped, in one piece, read digit by digit), so that redaction does its real work on every request.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const CARD = '4539148803436467';
const CARD_GROUPED = '4539 1488 0343 6467';
const CARD_SPOKEN = 'four five three nine one four eight eight oh three four three six four six seven';

/** A handoff of about 4 KB with the card number in it. */
export function handoffOf4k() {
  const base = JSON.parse(
    readFileSync(
      path.join(import.meta.dirname, '../webhook-relay/test/fixtures/handoffs/phone-full-details.json'),
      'utf8',
    ),
  );
  const said = (at, text) => ({ at: `2026-11-24T14:03:${at}Z`, role: 'contact', text });
  const cards = [
    said('00', `Can I pay the redelivery now? My card is ${CARD_GROUPED}, expiry 12/27.`),
    said('10', `Sorry, once more without spaces: ${CARD}.`),
    said('20', `Let me read it slowly: ${CARD_SPOKEN}.`),
  ];
  const messages = [...base.messages.slice(0, 4), ...cards, ...base.messages.slice(4)];
  while (JSON.stringify({ ...base, messages }).length < 4096)
    messages.push(base.messages[messages.length % base.messages.length]);
  return { ...base, messages };
}

/**
 * What a scan of the store looks for after a run: the card number in any form the handoff gives it (none
 * may be there with redaction on), and a word of the transcript (none with the payload encrypted).
 */
export const STORE_PROBES = {
  card: [CARD, CARD_GROUPED, CARD_SPOKEN],
  transcript: ['Northwind Supplies'],
};
