import { describe, expect, it } from 'vitest';
import { luhnValid } from '../../src/redaction/luhn.js';
import { digitRuns } from '../../src/redaction/runs.js';
import { digitItems } from '../../src/redaction/spoken-digits.js';

describe('the Luhn check', () => {
  it.each([
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['378282246310005', true],
    ['6212345678901234569', true],
    ['4111111111119', true],
    ['0000000000000000', true],
    ['', false],
    ['4111 1111 1111 1111', false],
    ['79927398713', true],
    ['79927398710', false],
  ])('%s → %s', (digits, valid) => expect(luhnValid(digits)).toBe(valid));
});

/** The items of a text as [source text, digits] pairs. */
const items = (text: string, language?: string) =>
  digitItems(text, language).map((item) => [text.slice(item.start, item.end), item.digits]);

describe('digits typed or spoken', () => {
  it.each<[string, string | undefined, string[][]]>([
    [
      '4111 1111',
      undefined,
      [
        ['4111', '4111'],
        ['1111', '1111'],
      ],
    ],
    [
      'four oh Zero nought',
      undefined,
      [
        ['four', '4'],
        ['oh', '0'],
        ['Zero', '0'],
        ['nought', '0'],
      ],
    ],
    [
      'forty-one eleven twenty',
      undefined,
      [
        ['forty-one', '41'],
        ['eleven', '11'],
        ['twenty', '20'],
      ],
    ],
    [
      'double four triple oh',
      undefined,
      [
        ['double four', '44'],
        ['triple oh', '000'],
      ],
    ],
    ['a double take', undefined, []],
    ["o'clock O'Brien", undefined, []],
    ['A20391 1st x12 NW-R7 order 7', undefined, [['7', '7']]],
    [
      '٤٥٦ ۷۸ ९० ４２',
      undefined,
      [
        ['٤٥٦', '456'],
        ['۷۸', '78'],
        ['९०', '90'],
        ['４２', '42'],
      ],
    ],
    ['quatre un deux', undefined, []],
    [
      'quatre un deux',
      'fr-CA',
      [
        ['quatre', '4'],
        ['un', '1'],
        ['deux', '2'],
      ],
    ],
    [
      'vier fünf NULL',
      'de',
      [
        ['vier', '4'],
        ['fünf', '5'],
        ['NULL', '0'],
      ],
    ],
    [
      'tres três',
      'pt-BR',
      [
        ['tres', '3'],
        ['três', '3'],
      ],
    ],
    ['one', 'xx', [['one', '1']]],
  ])('%j (%s)', (text, language, expected) => expect(items(text, language)).toEqual(expected));
});

describe('runs: the digits read as one number', () => {
  const runs = (text: string) =>
    digitRuns(text, digitItems(text)).map((run) => run.items.map((item) => item.digits).join(''));
  it.each([
    ['4111 1111-1111.1111', ['4111111111111111']],
    ['four, one, one. one', ['4111']],
    ['four one 1111', ['411111']],
    ['20391, 20392', ['20391', '20392']],
    ['$1,234.56', ['1', '23456']],
    ['14:02:11', ['14', '02', '11']],
    ['24/11/2026', ['24', '11', '2026']],
    ['(415) 555-0134', ['415', '5550134']],
    ['415 555\n0134', ['415555', '0134']],
    ['4111 - 1111', ['4111', '1111']],
    ['one and two', ['1', '2']],
  ])('%j → %j', (text, expected) => expect(runs(text)).toEqual(expected));
});
