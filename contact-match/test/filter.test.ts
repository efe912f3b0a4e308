import { describe, expect, it } from 'vitest';
import { activeContactsByPhoneFilter, escapeODataString } from '../src/filter.js';
import { splitName } from '../src/name.js';

describe('activeContactsByPhoneFilter', () => {
  it('asks for active contacts with any rendering in any phone column, exact matches only', () => {
    const filter = activeContactsByPhoneFilter(['+14155550134', '(415) 555-0134']);
    expect(filter).toBe(
      "statecode eq 0 and (mobilephone eq '+14155550134' or mobilephone eq '(415) 555-0134' or " +
        "telephone1 eq '+14155550134' or telephone1 eq '(415) 555-0134' or " +
        "telephone2 eq '+14155550134' or telephone2 eq '(415) 555-0134' or " +
        "telephone3 eq '+14155550134' or telephone3 eq '(415) 555-0134')",
    );
    expect(filter).not.toMatch(/contains|endswith|startswith/);
  });

  it('doubles single quotes', () => {
    expect(escapeODataString("O'Brien's")).toBe("O''Brien''s");
  });
});

describe('splitName', () => {
  it.each([
    ['Dana Whitfield', { firstname: 'Dana', lastname: 'Whitfield' }],
    ['  Mary Ann   de Vries ', { firstname: 'Mary Ann de', lastname: 'Vries' }],
    ['Cher', { lastname: 'Cher' }],
    ['   ', undefined],
    [undefined, undefined],
  ])('%j', (name, expected) => expect(splitName(name)).toEqual(expected));
});
