/**
 * REDACT and REDACT_NATIONAL_ID_PATTERNS, read and checked at start (config/load.ts) so that a typo in a
 * rule name or a broken regular expression stops the relay with a clear message instead of letting
 * personal data through.
 */
import { messages } from '../messages.js';
import { REDACTION_RULES, type RedactionRule } from './rules.js';

export interface RedactionSettings {
  /** Rules switched on; empty when REDACT=none. */
  rules: RedactionRule[];
  /** Compiled with the `g` and `u` flags. */
  nationalIdPatterns: RegExp[];
}

/** REDACT unset: every rule, no extra national id pattern. */
export const DEFAULT_REDACTION: Readonly<RedactionSettings> = {
  rules: [...REDACTION_RULES],
  nationalIdPatterns: [],
};

const RULES_FIX = `Use a comma-separated list of: ${REDACTION_RULES.join(', ')} (the default is all three), or none to turn redaction off.`;
const PATTERNS_FIX =
  'It must be a JSON array of regular expressions (JavaScript syntax, Unicode mode), each as "source" or "/source/flags" with flags from i, m, s; e.g. ["\\\\b[A-Z]{2}\\\\d{6}[A-D]\\\\b"].';
const LITERAL = /^\/(.+)\/([a-z]*)$/s;

function compile(pattern: string): RegExp | string {
  const literal = LITERAL.exec(pattern);
  const source = literal ? literal[1] : pattern;
  const flags = literal ? literal[2] : '';
  if (!/^[imsgu]*$/.test(flags)) return `Its flags "${flags}" are not allowed: use i, m or s.`;
  let regex: RegExp;
  try {
    regex = new RegExp(source, `${flags.replace(/[gu]/g, '')}gu`);
  } catch (error) {
    return `${(error as Error).message}.`;
  }
  // An empty match would redact nothing and says the pattern is not what was meant ("\d*", "a|").
  if (new RegExp(regex.source, regex.flags.replace('g', '')).test(''))
    return 'It matches an empty text: make every part of it match at least one character.';
  return regex;
}

/**
 * Reads the two variables. REDACT unset or empty means every rule: deployment tools often turn an unset
 * variable into an empty one, and that must not switch protection off. Only REDACT=none turns redaction
 * off. Unknown rule names, malformed JSON and patterns that do not compile are errors.
 */
export function readRedactionSettings(env: Record<string, string | undefined>): {
  settings: RedactionSettings;
  errors: string[];
} {
  const errors: string[] = [];
  const raw = env.REDACT;
  let rules: RedactionRule[] = [...REDACTION_RULES];
  if (raw !== undefined) {
    const names = raw
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean);
    if (names.length === 0) rules = [...REDACTION_RULES];
    else if (names.length === 1 && names[0] === 'none') rules = [];
    else if (
      names.every((name): name is RedactionRule => (REDACTION_RULES as readonly string[]).includes(name))
    )
      rules = REDACTION_RULES.filter((rule) => names.includes(rule));
    else errors.push(messages.config.invalid('REDACT', raw.trim(), RULES_FIX));
  }

  const nationalIdPatterns: RegExp[] = [];
  const patternsRaw = env.REDACT_NATIONAL_ID_PATTERNS?.trim();
  if (patternsRaw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(patternsRaw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((p): p is string => typeof p === 'string' && p !== ''))
      errors.push(messages.config.invalid('REDACT_NATIONAL_ID_PATTERNS', patternsRaw, PATTERNS_FIX));
    else
      for (const pattern of parsed) {
        const compiled = compile(pattern);
        if (typeof compiled === 'string')
          errors.push(messages.config.invalid('REDACT_NATIONAL_ID_PATTERNS', pattern, compiled));
        else nationalIdPatterns.push(compiled);
      }
  }
  return { settings: { rules, nationalIdPatterns }, errors };
}
