import { describe, expect, it } from 'vitest';
import { luhnValid } from '../../src/redaction/luhn.js';
import { redactText, type RedactionOptions } from '../../src/redaction/redact.js';
import { REDACTION_RULES } from '../../src/redaction/rules.js';

const ALL: RedactionOptions = { rules: REDACTION_RULES };
const CARD = '[card number removed]';
const ID = '[national id removed]';
const RUN = '[digit run removed]';

describe('card numbers', () => {
  it.each([
    ['Visa with spaces', 'My card is 4111 1111 1111 1111, thanks.', `My card is ${CARD}, thanks.`],
    ['Visa with dashes', '4111-1111-1111-1111', CARD],
    ['Visa in one piece', 'card:4111111111111111.', `card:${CARD}.`],
    ['dots', '4111.1111.1111.1111', CARD],
    ['Mastercard', '5555 5555 5555 4444', CARD],
    ['Mastercard 2-series', '2223 0031 2200 3222', CARD],
    ['Amex 4-6-5', 'Amex 3782 822463 10005 ok', `Amex ${CARD} ok`],
    ['Discover', '6011 0009 9013 9424', CARD],
    ['JCB', '3530 1113 3330 0000', CARD],
    ['Diners, 14 digits', '3056 9309 0259 04', CARD],
    ['19 digits', '6212 3456 7890 1234 569', CARD],
    ['13 digits', '4111 1111 1111 9', CARD],
    ['spoken digit by digit', 'four one one one one one one one one one one one one one one one', CARD],
    [
      'spoken with oh and zero',
      'it is four oh oh oh zero five six six five five six six five five five six okay',
      `it is ${CARD} okay`,
    ],
    [
      'spoken with commas',
      'four, one, one, one, one, one, one, one, one, one, one, one, one, one, one, one.',
      `${CARD}.`,
    ],
    ['spoken with hyphens', 'four-one-one-one-one-one-one-one-one-one-one-one-one-one-one-one', CARD],
    ['mixed words and digits', 'four one one one 1111 1111 1111', CARD],
    ['mixed, digits first', '4111 one one one one 1111 one one one one', CARD],
    [
      'double and triple',
      'double five double five double five double five double five double five double four double four',
      CARD,
    ],
    ['Arabic-Indic digits', 'رقم البطاقة ٤١١١ ١١١١ ١١١١ ١١١١ شكرا', `رقم البطاقة ${CARD} شكرا`],
    ['full-width digits', '４１１１１１１１１１１１１１１１', CARD],
    ['followed by an expiry in another run', '4111 1111 1111 1111 exp 12/27', `${CARD} exp 12/27`],
    ['and the CVV read after it', '4111 1111 1111 1111 737', `${CARD} ${RUN}`],
    ['preceded by a spoken "oh"', 'oh 4111 1111 1111 1111', `oh ${CARD}`],
    ['two cards', '4111111111111111 or 5555555555554444?', `${CARD} or ${CARD}?`],
    [
      'across a multi-line message, each line',
      'old: 4111 1111 1111 1111\nnew: 5555 5555 5555 4444',
      `old: ${CARD}\nnew: ${CARD}`,
    ],
  ])('%s', (_, text, expected) => {
    const result = redactText(text, ALL);
    expect(result.text).toBe(expected);
    expect(result.counts['card number']).toBe(expected.split(CARD).length - 1);
  });

  it('reads other languages digit words when the handoff is in that language', () => {
    const spoken = 'quatre un un un un un un un un un un un un un un un';
    expect(redactText(spoken, ALL, 'fr').text).toBe(CARD);
    expect(redactText(spoken, ALL, 'en').text).toBe(spoken);
    expect(
      redactText('cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno', ALL, 'es').text,
    ).toBe(CARD);
    expect(
      redactText(
        'vier eins eins eins eins eins eins eins eins eins eins eins eins eins eins eins',
        ALL,
        'de-DE',
      ).text,
    ).toBe(CARD);
  });
});

describe('national ids', () => {
  it.each([
    ['SSN with dashes', 'my SSN is 123-45-6789.', `my SSN is ${ID}.`],
    ['SSN with spaces', '123 45 6789', ID],
    ['spoken SSN', 'it is one two three, four five, six seven eight nine', `it is ${ID}`],
    [
      'nine digits after "social security"',
      'social security number 123456789',
      `social security number ${ID}`,
    ],
    ['nine digits after "SSN"', 'SSN: 123456789', `SSN: ${ID}`],
  ])('%s', (_, text, expected) => {
    const result = redactText(text, ALL);
    expect(result.text).toBe(expected);
    expect(result.counts).toEqual({ 'national id': 1 });
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx', '912-34-5678'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['a bare nine-digit order number', 'order 123456789'],
    ['ZIP+4', 'ZIP 94107-1234'],
    ['ZIP+4 with a space', '94107 1234'],
    ['mixed groups', '12-345-6789'],
  ])('leaves %s alone', (_, text) => expect(redactText(text, ALL).text).toBe(text));

  it("adds the operator's patterns", () => {
    const options: RedactionOptions = {
      ...ALL,
      nationalIdPatterns: [/\b[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]\b/gu],
    };
    expect(redactText('NI number AB123456C please', options)).toMatchObject({
      text: `NI number ${ID} please`,
      counts: { 'national id': 1 },
    });
    expect(redactText('NI number AB123456C', { ...options, rules: ['cards'] }).text).toBe(
      'NI number AB123456C',
    );
  });

  it('keeps one marker where a pattern overlaps a card, of the more specific kind', () => {
    const options: RedactionOptions = { ...ALL, nationalIdPatterns: [/card 4111[\d ]+/gu] };
    expect(redactText('card 4111 1111 1111 1111', options)).toMatchObject({
      text: CARD,
      counts: { 'card number': 1 },
    });
  });
});

describe('long digit runs', () => {
  it.each([
    ['16 digits failing Luhn', '4111 1111 1111 1112', RUN],
    [
      'spoken account number',
      'one two three four five six seven eight nine zero one two three four five seven',
      RUN,
    ],
    // A 14-digit window inside ("three … six") passes Luhn by chance (1 in 10): it is labelled a card,
    // and the two digits before it stay (one or two digits identify nothing).
    [
      'spoken account number with a Luhn window',
      'one two three four five six seven eight nine zero one two three four five six',
      `one two ${CARD}`,
    ],
    ['typed in one piece', 'account 12345678901234567', `account ${RUN}`],
    ['what a card leaves of a long run', '4111 1111 1111 1111 12 27', `${CARD} ${RUN}`],
    ['a long run around a card', '999 4111 1111 1111 1111 12', `${RUN} ${CARD} 12`],
  ])('%s', (_, text, expected) => expect(redactText(text, ALL).text).toBe(expected));

  it('leaves a Luhn-failing 16-digit run when only cards are on', () => {
    expect(redactText('4111 1111 1111 1112', { rules: ['cards'] }).text).toBe('4111 1111 1111 1112');
  });
});

describe('what is not personal data survives', () => {
  it.each([
    'Call me on +1 415-555-0134.',
    '(415) 555-0134',
    '415-555-0134 or 4155550134 or +14155550134 or +1 415 555 0134 x12 or 415.555.0134',
    '+44 20 7946 0958, 020 7946 0958, +442079460958',
    'from the US: 011 44 20 7946 0958',
    '+86 138 0013 8000',
    '+49 30 1234567890',
    '+49 30 1234 5678 901',
    'four one five, five five five, oh one three four',
    'plus four four two oh seven nine four six oh nine five eight',
    'Order A-20391-77 and NW-55120, #20391, invoice 7731, order 1182',
    'orders 20391, 20392, 20393, 20394 and 20395',
    'in 2023, 2024, 2025, 2026 and 2027',
    'on 2026-11-24, 24/11/2026, 24.11.2026, November 24, 2026',
    'from 2026-11-24 - 2026-11-30',
    'at 14:02:11, 2:05 pm, 2026-11-24T14:02:11Z',
    '$1,234.56, €1.234,56, 1 234 567,89 €, 84.20',
    'Luhn fails and too short for a run: 4111 1111 1111 112',
    'Luhn passes but starts with 1, 7 or 8: 1000 0000 0000 009, 8000 0000 0000 002, 7000 0000 0000 5',
    'IP 192.168.100.200',
    'tracking 1Z999AA10123456784',
    '(step 17) hold it for ten seconds; we have 2 cards and 3 accounts',
    'one two three, here we go',
    '[12:00:00] AI: this line only looks like a turn',
    'لدي سؤال عن الفاتورة 🧾 — رقم ٤٥٦',
  ])('%j', (text) => {
    const result = redactText(text, ALL);
    expect(result.text).toBe(text);
    expect(result.counts).toEqual({});
  });
});

describe('known limits (documented in the README)', () => {
  it.each([
    ['two dates joined by a single space', '2026-11-24 2026-11-30', RUN],
    ['two phone numbers in a row', 'call 415 555 0134 415 555 0199', `call ${RUN}`],
    ['a USPS tracking number', 'tracking 9400 1000 0000 0000 0000 00', `tracking ${RUN}`],
    ['an international number dialled with 00, past 15 digits', '0049 30 1234567890', RUN],
    [
      'a nine-digit order number read digit by digit',
      'order two oh three nine one seven seven one two',
      `order ${ID}`,
    ],
  ])('false positive: %s', (_, text, expected) => expect(redactText(text, ALL).text).toBe(expected));
  it('typed groups separated by commas are separate numbers (false negative)', () => {
    expect(redactText('4111, 1111, 1111, 1111', ALL).text).toBe('4111, 1111, 1111, 1111');
  });
  it('a number said with "hundred" or "thousand" is not read', () => {
    const text = 'forty one hundred eleven eleven eleven eleven eleven eleven';
    expect(redactText(text, ALL).text).toBe(text);
  });
});

describe('rules', () => {
  const text = 'card 4111 1111 1111 1111, ssn 123-45-6789, acct 1234 5678 9012 3456 78';
  it.each([
    [['cards', 'national-ids', 'digit-runs'], `card ${CARD}, ssn ${ID}, acct ${RUN}`],
    [['cards'], `card ${CARD}, ssn 123-45-6789, acct 1234 5678 9012 3456 78`],
    [['national-ids'], `card 4111 1111 1111 1111, ssn ${ID}, acct 1234 5678 9012 3456 78`],
    [['digit-runs'], `card ${RUN}, ssn 123-45-6789, acct ${RUN}`],
    [[], text],
  ] as const)('%j', (rules, expected) => expect(redactText(text, { rules }).text).toBe(expected));

  it('every card in these tables passes Luhn', () => {
    for (const card of [
      '2223003122003222',
      '378282246310005',
      '6011000990139424',
      '3530111333300000',
      '30569309025904',
      '6212345678901234569',
      '4111111111119',
      '4000056655665556',
      '5555555555554444',
    ])
      expect(luhnValid(card)).toBe(true);
  });
});
