/**
 * The transcript model shared by the writer (webhook relay) and the reader (transcript control).
 * Timestamps are canonical UTC ISO 8601 strings: `YYYY-MM-DDTHH:mm:ssZ`, or with milliseconds
 * `YYYY-MM-DDTHH:mm:ss.sssZ` when the source had them. `normalizeTranscript` produces that form.
 */

/** Who spoke. `contact` is the caller; `human_agent` a person in the contact centre. */
export type Role = 'contact' | 'ai' | 'human_agent' | 'system';

export interface Turn {
  /** Canonical UTC timestamp (see above). */
  at: string;
  role: Role;
  /** Optional display name of the speaker (e.g. the human agent's name). */
  name?: string;
  /** Any text: may be empty, multi-line, look like a header or a turn line, hold any Unicode. */
  text: string;
}

/** How the relay chose the case's customer. */
export type ContactMatch = 'email' | 'email-created' | 'phone' | 'none';

/** Whether OpenCX verified a caller detail, or the caller only stated it. */
export type Verification = 'verified' | 'stated';

export interface Customer {
  name?: string;
  email?: string;
  phone?: string;
  /**
   * Which of the details above OpenCX verified and which the caller only stated; absent when the writer
   * did not say (older transcripts), and then a reader claims neither.
   */
  verification?: { name?: Verification; email?: Verification; phone?: Verification };
}

export interface TranscriptHeader {
  /** OpenCX channel.type, e.g. `phone_voice`, `web_voice`, `email`. */
  channel?: string;
  summary?: string;
  classification?: string;
  sentiment?: string;
  language?: string;
  customer?: Customer;
  /** How the customer was matched; absent when the writer did not say. */
  contactMatch?: ContactMatch;
  sessionId?: string;
  /** Only `https:` URLs are ever written or returned by the reader. */
  sessionUrl?: string;
  /** Canonical UTC timestamp of the handoff. */
  handoffAt?: string;
  handoffReason?: string;
  /** Counts of redacted items by kind (e.g. `{ "card number": 2 }`); absent or empty when none. */
  redactions?: Record<string, number>;
}

export interface Transcript {
  header: TranscriptHeader;
  /** The conversation up to the handoff, in order. */
  turns: Turn[];
  /** Turns after the handoff (post-handoff append); absent until something is appended. */
  afterHandoff?: Turn[];
}

export interface FitOptions {
  /** Maximum length in UTF-16 code units (what Dataverse counts). */
  maxLength: number;
  /** Where the full text can be found, named in the marker line, e.g. `note "OpenCX transcript <session>"`. */
  fullTextRef?: string;
}

export interface FitResult {
  text: string;
  /** True when turns were left out or header values shortened. */
  shortened: boolean;
  omittedTurns: number;
  /** True when header values were shortened (or, for tiny limits, header lines left out). */
  headerShortened?: boolean;
}

/** Where turns were left out of a fitted transcript, as read back from its marker line. */
export interface Omission {
  omittedTurns: number;
  /**
   * Index (in the full transcript's turns, followed by its `afterHandoff` turns when there are any)
   * of the first turn left out.
   */
  firstOmittedIndex: number;
  fullTextRef?: string;
}

export type ParsedDescription =
  | {
      kind: 'transcript';
      version: number;
      transcript: Transcript;
      /** Present when the text was fitted and turns were left out. */
      omission?: Omission;
      /** True when a header value was shortened with an ellipsis to fit. */
      headerShortened: boolean;
    }
  | {
      /** A best-effort reading of a text that is not ours (OpenCX's own layout, an older version). */
      kind: 'best-effort';
      transcript: Transcript;
      /**
       * What the text was recognised as, for people (not for branching): e.g. `opencx`,
       * `transcript v2` (a version this reader does not know), `transcript v1 (edited)`, `speaker lines`.
       */
      source: string;
    }
  | { kind: 'plain'; text: string }
  | { kind: 'empty' };
