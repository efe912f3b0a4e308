import { describe, expect, it } from 'vitest';
import { variableOf } from '../../src/admin/config.js';
import { readRedactionSettings } from '../../src/redaction/config.js';

describe('REDACT and REDACT_NATIONAL_ID_PATTERNS', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, ['cards', 'national-ids', 'digit-runs']],
    ['cards,national-ids,digit-runs', ['cards', 'national-ids', 'digit-runs']],
    [' Digit-Runs , cards ,', ['cards', 'digit-runs']],
    ['cards,cards', ['cards']],
    ['none', []],
    ['NONE', []],
    // Deployment tools turn unset variables into empty ones: that must not switch protection off.
    ['', ['cards', 'national-ids', 'digit-runs']],
    ['  ', ['cards', 'national-ids', 'digit-runs']],
  ])('REDACT=%j → %j', (value, rules) => {
    const { settings, errors } = readRedactionSettings({ REDACT: value });
    expect(errors).toEqual([]);
    expect(settings.rules).toEqual(rules);
  });

  it.each(['cards,emails', 'card', 'none,cards', 'all'])(
    'refuses REDACT=%s, listing the valid names',
    (value) => {
      const { errors } = readRedactionSettings({ REDACT: value });
      expect(errors).toEqual([
        `REDACT=${value} is not valid. Use a comma-separated list of: cards, national-ids, digit-runs (the default is all three), or none to turn redaction off.`,
      ]);
      expect(variableOf(errors[0])).toBe('REDACT');
    },
  );

  it('compiles national id patterns, plain or /source/flags', () => {
    const { settings, errors } = readRedactionSettings({
      REDACT_NATIONAL_ID_PATTERNS: JSON.stringify(['\\b[A-Z]{2}\\d{6}[A-D]\\b', '/\\bnir \\d{13}\\b/i']),
    });
    expect(errors).toEqual([]);
    expect(settings.nationalIdPatterns.map((p) => [p.source, p.flags])).toEqual([
      ['\\b[A-Z]{2}\\d{6}[A-D]\\b', 'gu'],
      ['\\bnir \\d{13}\\b', 'giu'],
    ]);
  });

  it.each([
    ['not JSON', '[\\d{6}', 'It must be a JSON array of regular expressions'],
    ['not an array', '"\\\\d{6}"', 'It must be a JSON array'],
    ['not strings', '[1]', 'It must be a JSON array'],
    ['an empty pattern', '[""]', 'It must be a JSON array'],
    ['a pattern that does not compile', '["[A-Z"]', 'Invalid regular expression'],
    ['an escape Unicode mode refuses', '["\\\\-\\\\d"]', 'Invalid regular expression'],
    ['a pattern matching nothing at all', '["\\\\d*"]', 'It matches an empty text'],
    ['unknown flags', '["/x/y"]', 'Its flags "y" are not allowed'],
  ])('refuses %s, naming the variable', (_, value, expected) => {
    const { errors } = readRedactionSettings({ REDACT_NATIONAL_ID_PATTERNS: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
    expect(variableOf(errors[0])).toBe('REDACT_NATIONAL_ID_PATTERNS');
  });

  it('reports every bad pattern at once', () => {
    const { errors, settings } = readRedactionSettings({
      REDACT_NATIONAL_ID_PATTERNS: JSON.stringify(['(', 'ok\\d', '?']),
    });
    expect(errors).toHaveLength(2);
    expect(settings.nationalIdPatterns).toHaveLength(1);
  });
});
