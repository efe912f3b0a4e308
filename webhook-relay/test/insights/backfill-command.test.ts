import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/insights/backfill-command.js';

const now = Date.parse('2026-12-01T12:00:00Z');

describe('parseSince', () => {
  it.each([
    ['30d', '2026-11-01T12:00:00.000Z'],
    ['1d', '2026-11-30T12:00:00.000Z'],
    ['12h', '2026-12-01T00:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T08:30:00Z', '2026-11-01T08:30:00.000Z'],
    ['2026-11-01T08:30:00+02:00', '2026-11-01T06:30:00.000Z'],
  ])('%s → %s', (text, iso) => expect(parseSince(text, now)?.toISOString()).toBe(iso));

  it.each(['', '0d', '30', '30days', '-5d', 'yesterday', '2026-13-45', '2027-01-01'])(
    'refuses %j (not a window, or in the future)',
    (text) => expect(parseSince(text, now)).toBeUndefined(),
  );
});
