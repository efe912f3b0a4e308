/**
 * Long digit runs: account numbers, card numbers a speech recogniser garbled (Luhn fails), anything read
 * out digit by digit at length.
 *
 * The threshold is 16 digits: one more than the longest phone number, whatever its rendering (E.164
 * allows 15 digits with the country code; "011 44 20 7946 0958" dialled from the US is 15 too), so a
 * phone number typed or spoken never reaches it; order numbers, dates, times and amounts are far
 * shorter, and each run ends at a letter, a word, a colon or a slash. A run of 16 or more digits that
 * no card or national id took is removed whole.
 */
import { digitCount } from './runs.js';
import type { DigitItem } from './spoken-digits.js';

export const LONG_RUN_DIGITS = 16;

export const isLongRun = (items: readonly DigitItem[]) => digitCount(items) >= LONG_RUN_DIGITS;
