/** The grammar version written into every day separator. Bump it only with a GRAMMAR.md change. */
export const FORMAT_VERSION = 1;

/** Continuation lines (second and later lines of a multi-line value) start with exactly this. */
export const CONTINUATION_INDENT = '    ';

/** Share of `maxLength` the header may take when the transcript has to be fitted. */
export const HEADER_SHARE = 0.4;

/** The first turns get this share of the room left for turns; the last turns (before the handoff) the rest. */
export const FIRST_TURNS_SHARE = 1 / 3;

/** When shortening, the summary is cut first, but not below this many characters... */
export const SUMMARY_FLOOR = 80;
/** ...then every other free-text value, but not below this many, before anything harsher happens. */
export const VALUE_FLOOR = 24;
/** ...and identifiers (session id, email, phone) not below this many: real ones are shorter, so stay whole. */
export const IDENTIFIER_FLOOR = 64;

export const ELLIPSIS = '…';

/** Written in place of header lines that had to be left out entirely (tiny limits only). */
export const HEADER_LINES_LEFT_OUT = ELLIPSIS;

export const HANDOFF_DIVIDER = '--- after the handoff ---';

/** The time shown for a turn whose timestamp was missing or invalid. */
export const UNKNOWN_TIME = '--:--:--';
