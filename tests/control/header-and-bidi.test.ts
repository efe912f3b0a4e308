/**
 * The header a rep reads at a glance (phone formatted for the rep, the language by name, no identifiers)
 * and bidi safety (transcript text cannot reorder what a rep reads): the pure modules.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, write, type Transcript } from '@opencx-d365/transcript-format';
import {
  bidiMarker,
  revealBidiControls,
  revealTranscript,
  stripBidiControls,
} from '../../OpenCXTranscriptControl/model/bidi';
import { repCountryOf } from '../../OpenCXTranscriptControl/model/rep-country';
import { headerFacts, languageName, phoneForRep } from '../../OpenCXTranscriptControl/model/header-facts';
import { loadStrings } from '../../OpenCXTranscriptControl/model/strings';
import { buildView } from '../../OpenCXTranscriptControl/model/view-model';
import { transcript } from './fixtures';
import { resxStrings } from './harness';

const strings = loadStrings((key) => resxStrings(1033)[key]);
const french = loadStrings((key) => resxStrings(1036)[key]);
const clock = (locale: string) => ({ locale, offsetAt: () => 0 });

const RLO = '\u202E';
const RLI = '\u2067';
const PDI = '\u2069';

describe("the caller's phone, formatted for the rep", () => {
  it.each([
    ['+1 415-555-0103', 'US', '(415) 555-0103'],
    ['+14155550103', 'GB', '+1 415 555 0103'],
    ['+44 20 7946 0321', 'GB', '020 7946 0321'],
    ['+442079460321', 'US', '+44 20 7946 0321'],
    ['+33 1 42 68 53 00', 'FR', '01 42 68 53 00'],
    // A national number is read in the rep's country.
    ['(415) 555-0103', 'US', '(415) 555-0103'],
  ])('%s for a rep in %s reads %s', (raw, country, expected) => {
    expect(phoneForRep(raw, country, strings)).toBe(expected);
  });

  it('keeps the extension, in the rep’s language', () => {
    expect(phoneForRep('+1 415 555 0103 ext. 12', 'US', strings)).toBe('(415) 555-0103 ext. 12');
    expect(phoneForRep('+1 415 555 0103 ext. 12', 'FR', french)).toBe('+1 415 555 0103 poste 12');
  });

  it('shows what it cannot read as stored', () => {
    expect(phoneForRep('call me back', 'US', strings)).toBe('call me back');
    expect(phoneForRep('555-0103', undefined, strings)).toBe('555-0103');
    // A value with a bidi control is shown with its marker, never "tidied" into something else.
    const shown = revealBidiControls(`+1 415${RLO}555 0103`);
    expect(phoneForRep(shown, 'US', strings)).toBe(shown);
  });

  it("takes the rep's country from the form's setting, else from the rep's locale", () => {
    const header = { customer: { phone: '+44 20 7946 0321' } };
    const phone = (locale: string, defaultCountry?: string) =>
      headerFacts(header, strings, clock(locale), { repCountry: repCountryOf(defaultCountry, locale) })
        .caller[0].value;
    expect(phone('en-GB')).toBe('020 7946 0321');
    expect(phone('en-US')).toBe('+44 20 7946 0321');
    expect(phone('en-US', 'GB')).toBe('020 7946 0321');
  });
});

describe('the language, by name in the rep’s language', () => {
  it.each([
    ['en', 'en-US', 'English'],
    ['en-GB', 'en-US', 'British English'],
    ['ar', 'en-US', 'Arabic'],
    ['en', 'fr-FR', 'anglais'],
    ['pt_BR', 'en-US', 'Brazilian Portuguese'],
    ['en', 'ar-SA', 'الإنجليزية'],
  ])('%s for a rep in %s is %s', (code, locale, name) => {
    expect(languageName(code, locale)).toBe(name);
  });

  it('shows a value that is not a language tag as stored', () => {
    expect(languageName('English', 'en-US')).toBe('English');
    expect(languageName('Klingon (spoken)', 'en-US')).toBe('Klingon (spoken)');
  });
});

describe('no identifier a person would not write', () => {
  it('puts unknown channels, sentiments and reasons in words, known ones in the rep’s language', () => {
    const facts = headerFacts(
      {
        channel: 'whatsapp_voice',
        sentiment: 'very_negative',
        handoffReason: 'caller_asked_for_a_human',
        language: 'en',
        contactMatch: 'phone',
      },
      strings,
      clock('en-US'),
    );
    expect(facts.channel).toBe('Whatsapp voice');
    expect(facts.sentiment?.label).toBe('Very negative');
    expect(facts.facts.map((f) => f.value)).toEqual([
      'Caller asked for a human',
      expect.any(String),
      'English',
    ]);
    const known = headerFacts({ handoffReason: 'human_agent_decided_to_take_over' }, french, clock('fr-FR'));
    expect(known.facts[0].value).toBe("Une personne a pris le relais de l'IA");
    expect(headerFacts({ channel: 'phone_voice' }, french, clock('fr-FR')).channel).toBe(
      french.Channel_phone_voice,
    );
    const everything = JSON.stringify(
      headerFacts(transcript('phone-full-details').header, strings, clock('en-US')),
    );
    expect(everything).not.toMatch(/[a-z]_[a-z]/);
  });
});

describe('bidi controls', () => {
  it('become visible markers; everything else is kept', () => {
    expect(revealBidiControls(`invoice${RLO}gnp.exe`)).toBe('invoice⟦U+202E⟧gnp.exe');
    expect(revealBidiControls(`to ${RLI}account 12${PDI} now`)).toBe('to ⟦U+2067⟧account 12⟦U+2069⟧ now');
    for (const code of [
      0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c,
    ])
      expect(revealBidiControls(`a${String.fromCodePoint(code)}b`)).toBe(
        `a⟦U+${code.toString(16).toUpperCase().padStart(4, '0')}⟧b`,
      );
    const arabic = 'لدي سؤال عن الفاتورة 🧾 — رقم ٤٥٦';
    const hebrew = 'ההזמנה 4417 נשלחה ב-12/03';
    expect(revealBidiControls(arabic)).toBe(arabic);
    expect(revealBidiControls(hebrew)).toBe(hebrew);
    expect(stripBidiControls(`+1 415${RLO}555${PDI}0103`)).toBe('+1 4155550103');
    expect(bidiMarker('\u061C')).toBe('⟦U+061C⟧');
  });

  it('leave no control in anything the reader shows, for any text', () => {
    const control = fc.constantFrom(
      ...'\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069',
    );
    const text = fc.array(fc.oneof(fc.string(), control)).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, text, (said, name) => {
        const t: Transcript = {
          header: { classification: name, summary: said, customer: { name, phone: said } },
          turns: [{ at: '2026-11-24T14:02:11Z', role: 'human_agent', name, text: said }],
        };
        const shown = JSON.stringify(revealTranscript(t));
        expect(shown).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
      }),
    );
  });

  it('are shown as markers in the view; the link form gets the caller’s details without them', () => {
    const t = transcript('phone-no-email');
    t.header.customer = { name: `Priya${RLO} Raman`, phone: `+1 415${RLO}-555-0103` };
    t.turns[0] = { ...t.turns[0], text: `Please open invoice${RLO}gnp.exe`, name: `Ro${RLI}sa${PDI}` };
    const view = buildView(parse(write(t)), clock('en-US'));
    if (view.kind !== 'transcript') throw new Error(view.kind);
    const first = view.rows.find((r) => r.kind === 'turn');
    expect(first?.kind === 'turn' && first.turn.text).toBe('Please open invoice⟦U+202E⟧gnp.exe');
    expect(first?.kind === 'turn' && first.turn.name).toBe('Ro⟦U+2067⟧sa⟦U+2069⟧');
    expect(view.header.customer?.name).toBe('Priya⟦U+202E⟧ Raman');
    expect(view.caller).toEqual({ name: 'Priya Raman', phone: '+1 415-555-0103', email: undefined });
  });
});
