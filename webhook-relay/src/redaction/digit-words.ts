/**
 * Digit words by language, keyed without diacritics and in lower case (see `wordKey`). English is always
 * read: AI agents and callers mix it into other languages, and digit-by-digit reading ("four one one
 * one", "oh", "double four") is how card numbers are spoken. Other languages add their single digits
 * only when the handoff says it is in that language, because short words such as French "un" or
 * Spanish "dos" are everyday words elsewhere. A lone digit word never triggers a rule: only runs of
 * many digits do (see runs.ts and the detectors).
 */

export const UNITS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  en: {
    zero: '0',
    oh: '0',
    o: '0',
    nought: '0',
    naught: '0',
    one: '1',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
  },
  fr: {
    zero: '0',
    un: '1',
    une: '1',
    deux: '2',
    trois: '3',
    quatre: '4',
    cinq: '5',
    six: '6',
    sept: '7',
    huit: '8',
    neuf: '9',
  },
  es: {
    cero: '0',
    uno: '1',
    una: '1',
    dos: '2',
    tres: '3',
    cuatro: '4',
    cinco: '5',
    seis: '6',
    siete: '7',
    ocho: '8',
    nueve: '9',
  },
  de: {
    null: '0',
    eins: '1',
    zwei: '2',
    zwo: '2',
    drei: '3',
    vier: '4',
    funf: '5',
    sechs: '6',
    sieben: '7',
    acht: '8',
    neun: '9',
  },
  it: {
    zero: '0',
    uno: '1',
    due: '2',
    tre: '3',
    quattro: '4',
    cinque: '5',
    sei: '6',
    sette: '7',
    otto: '8',
    nove: '9',
  },
  pt: {
    zero: '0',
    um: '1',
    uma: '1',
    dois: '2',
    duas: '2',
    tres: '3',
    quatro: '4',
    cinco: '5',
    seis: '6',
    sete: '7',
    oito: '8',
    nove: '9',
  },
};

/** English two-digit words: "eleven" is 11; "forty" is 40, or 4x when a unit follows ("forty-one"). */
export const TEENS: Readonly<Record<string, string>> = {
  ten: '10',
  eleven: '11',
  twelve: '12',
  thirteen: '13',
  fourteen: '14',
  fifteen: '15',
  sixteen: '16',
  seventeen: '17',
  eighteen: '18',
  nineteen: '19',
};

export const TENS: Readonly<Record<string, string>> = {
  twenty: '2',
  thirty: '3',
  forty: '4',
  fifty: '5',
  sixty: '6',
  seventy: '7',
  eighty: '8',
  ninety: '9',
};

/** "double four" is 44, "triple oh" 000 (British readings of numbers). */
export const REPEATS: Readonly<Record<string, number>> = { double: 2, triple: 3 };

/** The languages whose digit words are read for a handoff in `language` (a BCP 47 tag such as fr-CA). */
export function languagesFor(language: string | undefined): string[] {
  const primary = language?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && primary !== 'en' && primary in UNITS ? ['en', primary] : ['en'];
}

/** A word as the tables spell it: lower case, diacritics removed ("Zéro" → "zero", "fünf" → "funf"). */
export function wordKey(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
