/** The pure decisions behind the first screen (issue 21). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Transcript } from '@opencx-d365/transcript-format';
import { elapsedSince, handedOffText } from '../../OpenCXTranscriptControl/model/elapsed';
import { handoffBriefOf, handoffRowOf, openingRowOf } from '../../OpenCXTranscriptControl/model/first-screen';
import { caseFormUrl, looksUpOnOpen } from '../../OpenCXTranscriptControl/model/link-flow';
import { RowLayout } from '../../OpenCXTranscriptControl/model/row-layout';
import { loadStrings } from '../../OpenCXTranscriptControl/model/strings';
import { callerTrust } from '../../OpenCXTranscriptControl/model/verification';
import { buildRows } from '../../OpenCXTranscriptControl/model/view-model';
import { resxStrings } from './harness';

const UTC = { locale: 'en-US', offsetAt: () => 0 };
const english = loadStrings((key) => resxStrings(1033)[key]);

function call(afterHandoff = 0): Transcript {
  return {
    header: { handoffAt: '2026-11-24T14:10:00Z', summary: '  Wants a refund.  ' },
    turns: [
      { at: '2026-11-24T14:00:00Z', role: 'ai', text: 'Hello' },
      { at: '2026-11-24T14:01:00Z', role: 'contact', text: 'I was charged twice' },
      { at: '2026-11-24T14:02:00Z', role: 'contact', text: '   ' },
      { at: '2026-11-24T14:03:00Z', role: 'ai', text: 'Connecting you now' },
      { at: '2026-11-24T14:04:00Z', role: 'system', text: 'Transfer' },
    ],
    afterHandoff: Array.from({ length: afterHandoff }, (_, i) => ({
      at: '2026-11-24T14:11:00Z',
      role: i % 2 ? ('contact' as const) : ('human_agent' as const),
      text: `later ${i}`,
    })),
  };
}

describe('the handoff brief', () => {
  it('quotes the last non-empty caller and AI turns before the handoff, by row', () => {
    const rows = buildRows(call(4), UTC);
    const brief = handoffBriefOf(call(4).header, rows);
    expect(brief.summary).toBe('Wants a refund.');
    expect(brief.callerLast).toMatchObject({ text: 'I was charged twice' });
    expect(brief.aiLast).toMatchObject({ text: 'Connecting you now' });
    // Turns after the handoff (the caller speaking to the agent) are not what the bot was told.
    expect(rows[brief.callerLast!.row]).toMatchObject({
      kind: 'turn',
      turn: { text: 'I was charged twice' },
    });
    expect(brief.callerLast!.row).toBeLessThan(handoffRowOf(rows)!);
  });

  it('quotes nothing it does not have', () => {
    const t: Transcript = { header: {}, turns: [{ at: '2026-11-24T14:00:00Z', role: 'ai', text: 'Hi' }] };
    const brief = handoffBriefOf(t.header, buildRows(t, UTC));
    expect(brief).toEqual({
      summary: undefined,
      handoffAt: undefined,
      callerLast: undefined,
      aiLast: expect.objectContaining({ text: 'Hi' }) as unknown,
    });
  });
});

describe('where the log opens', () => {
  it('opens at the handoff divider, else at the last row, and nowhere in an empty log', () => {
    const rows = buildRows(call(3), UTC);
    expect(openingRowOf(rows)).toBe(handoffRowOf(rows));
    expect(rows[openingRowOf(rows)!].kind).toBe('handoff');
    const plain: Transcript = { header: {}, turns: call().turns };
    const plainRows = buildRows(plain, UTC);
    expect(handoffRowOf(plainRows)).toBeUndefined();
    expect(openingRowOf(plainRows)).toBe(plainRows.length - 1);
    expect(openingRowOf([])).toBeUndefined();
  });

  it('shows the end when the end also shows the row, else the row a third of the way down', () => {
    const layout = new RowLayout(100, 40);
    // The last row: the end of the list.
    expect(layout.openingScrollTop(99, 400)).toBe(4000 - 400);
    // Four rows after it fit in the two thirds below: still the end.
    expect(layout.openingScrollTop(95, 400)).toBe(4000 - 400);
    // Ten (the whole viewport) do not: the row a third of the way down.
    expect(layout.openingScrollTop(89, 400)).toBeCloseTo(3560 - 400 / 3);
    // Fifty rows after it do not: the row a third of the way down.
    expect(layout.openingScrollTop(50, 300)).toBe(2000 - 100);
    expect(layout.openingScrollTop(1, 900)).toBe(0);
    expect(layout.endScrollTop(400)).toBe(3600);
    expect(new RowLayout(3, 40).endScrollTop(400)).toBe(0);
  });

  it('always has the opening row wholly in view when it fits in two thirds of it, whatever the heights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 120, max: 900 }),
        fc.nat(),
        (heights, viewport, pick) => {
          const layout = new RowLayout(heights.length, 44);
          heights.forEach((h, i) => layout.setHeight(i, h));
          const index = pick % heights.length;
          const top = layout.openingScrollTop(index, viewport);
          expect(top).toBeGreaterThanOrEqual(0);
          expect(layout.offsetOf(index)).toBeGreaterThanOrEqual(top);
          expect(layout.offsetOf(index) + layout.heightOf(index)).toBeLessThanOrEqual(top + viewport);
        },
      ),
    );
  });
});

describe('handed off … ago', () => {
  const at = '2026-11-24T14:00:00Z';
  const after = (ms: number) => Date.parse(at) + ms;
  it.each([
    [-5_000, { unit: 'now' }],
    [59_999, { unit: 'now' }],
    [60_000, { unit: 'minute', value: 1 }],
    [59 * 60_000, { unit: 'minute', value: 59 }],
    [60 * 60_000, { unit: 'hour', value: 1 }],
    [47 * 3_600_000, { unit: 'day', value: 1 }],
  ])('%i ms after the handoff is %o', (ms, elapsed) => {
    expect(elapsedSince(at, after(ms))).toEqual(elapsed);
  });

  it('reads nothing from a text that is not a timestamp', () => {
    expect(elapsedSince('yesterday', Date.now())).toBeUndefined();
  });

  it('words it in the rep’s language', () => {
    expect(handedOffText({ unit: 'now' }, 'en-US', english)).toBe('Handed off just now');
    expect(handedOffText({ unit: 'minute', value: 4 }, 'en-US', english)).toBe('Handed off 4 minutes ago');
    const french = loadStrings((key) => resxStrings(1036)[key]);
    expect(handedOffText({ unit: 'hour', value: 1 }, 'fr-FR', french)).toBe('Transféré il y a 1 heure');
    const arabic = loadStrings((key) => resxStrings(1025)[key]);
    expect(handedOffText({ unit: 'minute', value: 4 }, 'ar-SA', arabic)).toMatch(/^تم التحويل .+/);
  });
});

describe('verified or stated', () => {
  it('marks only details the header has and speaks for', () => {
    expect(
      callerTrust({
        customer: {
          name: 'Priya',
          phone: '+14155550103',
          verification: { name: 'stated', phone: 'verified', email: 'verified' },
        },
      }),
    ).toEqual({
      marks: { name: 'stated', phone: 'verified' },
      nothingVerified: false,
      linkedByStatedEmail: false,
      linkedByCallerId: false,
    });
  });

  it('says nothing was verified only when the header says how each detail was obtained', () => {
    expect(callerTrust({ customer: { name: 'P', verification: { name: 'stated' } } }).nothingVerified).toBe(
      true,
    );
    expect(callerTrust({ customer: { name: 'P' } }).nothingVerified).toBe(false);
    expect(callerTrust({ customer: { name: 'P', verification: {} } }).nothingVerified).toBe(false);
    expect(callerTrust({}).marks).toEqual({});
  });

  it('knows a case linked through a stated email', () => {
    const customer = { email: 'p@example.com', verification: { email: 'stated' as const } };
    expect(callerTrust({ customer, contactMatch: 'email' }).linkedByStatedEmail).toBe(true);
    expect(callerTrust({ customer, contactMatch: 'email-created' }).linkedByStatedEmail).toBe(true);
    expect(callerTrust({ customer, contactMatch: 'phone' }).linkedByStatedEmail).toBe(false);
    const verified = { ...customer, verification: { email: 'verified' as const } };
    expect(callerTrust({ customer: verified, contactMatch: 'email' }).linkedByStatedEmail).toBe(false);
  });
});

describe('the lookup on open', () => {
  const ready = { incidentId: 'x', offline: false, readOnly: false, canLink: true };
  const placeholder = { id: 'p1', entity: 'contact', name: 'Unidentified caller' };
  it('runs only on the placeholder customer, with a number it can search, when linking is available', () => {
    const phone = '+14155550103';
    expect(looksUpOnOpen(ready, placeholder, 'p1', phone, undefined)).toBe(true);
    expect(looksUpOnOpen(ready, placeholder, 'p1', '(415) 555-0103', 'US')).toBe(true);
    expect(looksUpOnOpen(ready, placeholder, 'p1', '(415) 555-0103', undefined)).toBe(false);
    expect(looksUpOnOpen(ready, placeholder, 'p1', 'call me back', 'US')).toBe(false);
    expect(looksUpOnOpen(ready, placeholder, 'p1', undefined, 'US')).toBe(false);
    expect(looksUpOnOpen(ready, undefined, 'p1', phone, 'US')).toBe(false);
    expect(looksUpOnOpen(ready, { ...placeholder, id: 'c2', name: 'Priya' }, 'p1', phone, 'US')).toBe(false);
    expect(looksUpOnOpen({ ...ready, offline: true }, placeholder, 'p1', phone, 'US')).toBe(false);
    expect(looksUpOnOpen({ ...ready, readOnly: true }, placeholder, 'p1', phone, 'US')).toBe(false);
    expect(looksUpOnOpen({ ...ready, canLink: false }, placeholder, 'p1', phone, 'US')).toBe(false);
  });

  it('links a case to its form’s address', () => {
    expect(caseFormUrl('d0000000-0000-4000-8000-000000000001')).toBe(
      '/main.aspx?pagetype=entityrecord&etn=incident&id=d0000000-0000-4000-8000-000000000001',
    );
  });
});
