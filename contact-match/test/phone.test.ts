import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import metadata from 'libphonenumber-js/min/metadata';
import { createPhoneParser, defaultCountryFor, pickCountries } from '../src/phone.js';
import { parsePhone, phoneE164 } from '../src/index.js';

describe('parsePhone', () => {
  it.each([
    // raw, default country, E.164, national
    ['(415) 555-0134', 'US', '+14155550134', '(415) 555-0134'],
    ['+1 415-555-0134', undefined, '+14155550134', '(415) 555-0134'],
    ['4155550134', 'US', '+14155550134', '(415) 555-0134'],
    ['415.555.0134', 'US', '+14155550134', '(415) 555-0134'],
    ['001 415 555 0134', 'GB', '+14155550134', '(415) 555-0134'],
    ['020 7946 0958', 'GB', '+442079460958', '020 7946 0958'],
    ['+44 20 7946 0958', 'US', '+442079460958', '020 7946 0958'],
    ['01 42 68 53 00', 'FR', '+33142685300', '01 42 68 53 00'],
  ])('reads %s (default %s) as %s', (raw, country, e164, national) => {
    const parsed = parsePhone(raw, country);
    expect(parsed).toMatchObject({ ok: true, e164, national });
  });

  it('renders a US number the ways people store it', () => {
    const parsed = parsePhone('(415) 555-0134', 'US');
    expect(parsed.ok && parsed.renderings).toEqual([
      '+14155550134',
      '(415) 555-0134',
      '+1 415 555 0134',
      '+1 415-555-0134',
      '4155550134',
      '415-555-0134',
    ]);
  });

  it('keeps the extension apart and also searches the number stored with it', () => {
    const parsed = parsePhone('(415) 555-0134 ext. 12', 'US');
    expect(parsed).toMatchObject({ ok: true, e164: '+14155550134', extension: '12' });
    expect(parsed.ok && parsed.renderings).toEqual(
      expect.arrayContaining(['+14155550134', '(415) 555-0134 x12', '(415) 555-0134 ext. 12']),
    );
  });

  it.each([
    ['', undefined, 'empty'],
    ['   ', 'US', 'empty'],
    ['call me back', 'US', 'invalid'],
    ['12', 'US', 'invalid'],
    ['+1 2', undefined, 'invalid'],
    ['4155550134', undefined, 'needs-country'],
    ['123456789012345678901', 'US', 'invalid'],
  ])('refuses %j (default %s): %s', (raw, country, problem) => {
    expect(parsePhone(raw, country)).toEqual({ ok: false, problem });
  });

  it('never throws and only answers possible numbers in E.164', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(undefined, 'US', 'GB', 'xx', ''),
        (raw, c) => {
          const parsed = parsePhone(raw, c);
          if (parsed.ok) expect(parsed.e164).toMatch(/^\+[1-9]\d{5,14}$/);
        },
      ),
    );
  });
});

describe('phoneE164', () => {
  it('answers exactly what parsePhone answers as e164, for any text and default country', () => {
    const phoneLike = fc.stringMatching(/^[+(]?[\d ().-]{0,20}(?: ?(?:ext\.?|x) ?\d{1,4})?$/);
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 30 }), phoneLike),
        fc.constantFrom(undefined, 'US', 'GB', 'FR', 'xx', ''),
        (raw, c) => {
          const parsed = parsePhone(raw, c);
          expect(phoneE164(raw, c)).toBe(parsed.ok ? parsed.e164 : undefined);
        },
      ),
    );
    for (const [raw, c] of [
      ['+44 (0)20 7946 0958', 'US'],
      ['(415) 555-0134 ext. 12', 'US'],
      ['+999 123 456 789', undefined],
    ] as const)
      expect(phoneE164(raw, c)).toBe((parsePhone(raw, c) as { e164?: string }).e164);
  });
});

describe('defaultCountryFor', () => {
  it.each([
    ['GB', 'en-US', 'GB'],
    [' us ', undefined, 'US'],
    [undefined, 'en-GB', 'GB'],
    ['', 'fr-FR', 'FR'],
    [undefined, 'zh-Hant-TW', 'TW'],
    ['not a country', 'de_DE', 'DE'],
    [undefined, 'en', undefined],
    [undefined, undefined, undefined],
  ])('configured %j, locale %j → %j', (configured, locale, expected) => {
    expect(defaultCountryFor(configured, locale)).toBe(expected);
  });
});

describe('pickCountries', () => {
  const regional = createPhoneParser(pickCountries(metadata, ['US', 'GB']));

  it('reads the kept countries exactly as the whole-world parser does', () => {
    for (const [raw, country] of [
      ['(415) 555-0134', 'US'],
      ['020 7946 0958', 'GB'],
      ['+44 20 7946 0958', undefined],
    ] as const)
      expect(regional(raw, country)).toEqual(parsePhone(raw, country));
  });

  it('still searches a + number from a country left out, in E.164 only', () => {
    expect(regional('+33 1 42 68 53 00')).toEqual({
      ok: true,
      e164: '+33142685300',
      national: '+33142685300',
      international: '+33142685300',
      renderings: ['+33142685300', '33142685300'],
    });
  });

  it('cannot read a national number of a country left out', () => {
    expect(regional('01 42 68 53 00', 'FR')).toEqual({ ok: false, problem: 'needs-country' });
  });
});
