/**
 * Pure: what the control may say about how much of the caller is known. OpenCX verifies some details
 * (e.g. a signed-in email) and the caller merely states others; the transcript header says which
 * (`customer.verification`). Without that information (older transcripts) the control claims nothing.
 */
import type { TranscriptHeader, Verification } from '@opencx-d365/transcript-format';
import type { Strings } from './strings';

export type CallerDetail = 'name' | 'phone' | 'email';

export interface CallerTrust {
  /** A mark for each detail the header has and says something about. */
  marks: Partial<Record<CallerDetail, Verification>>;
  /** The header says how each detail was obtained, and none was verified. */
  nothingVerified: boolean;
  /** The relay linked (or created) the case's contact through an email the caller only stated. */
  linkedByStatedEmail: boolean;
  /**
   * The relay linked the case's contact by phone alone, and the phone is OpenCX's `phone_number`: the caller
   * ID, which carries no verification and can be spoofed. Only a phone OpenCX marks verified is more.
   */
  linkedByCallerId: boolean;
}

const DETAILS: readonly CallerDetail[] = ['name', 'phone', 'email'];

export function callerTrust(header: TranscriptHeader): CallerTrust {
  const customer = header.customer ?? {};
  const verification = customer.verification;
  const marks: CallerTrust['marks'] = {};
  if (verification)
    for (const detail of DETAILS) {
      const mark = verification[detail];
      if (customer[detail]?.trim() && (mark === 'verified' || mark === 'stated')) marks[detail] = mark;
    }
  const given = Object.values(marks);
  return {
    marks,
    nothingVerified: given.length > 0 && !given.includes('verified'),
    linkedByStatedEmail:
      (header.contactMatch === 'email' || header.contactMatch === 'email-created') &&
      marks.email === 'stated',
    linkedByCallerId: linkedByCallerId(header),
  };
}

/** The relay linked the case's contact by phone alone, and OpenCX did not mark the phone verified. */
export function linkedByCallerId(header: TranscriptHeader): boolean {
  return header.contactMatch === 'phone' && header.customer?.verification?.phone !== 'verified';
}

/** The caller's number is a caller ID no one verified (OpenCX verifies a phone only when it says so). */
export function phoneIsCallerId(header: TranscriptHeader): boolean {
  return Boolean(header.customer?.phone?.trim()) && header.customer?.verification?.phone !== 'verified';
}

/** The warnings the handoff brief gives about what is known of the caller. */
export function trustNotices(trust: CallerTrust, strings: Strings): string[] {
  return [
    ...(trust.nothingVerified ? [strings.Verification_NoneVerified] : []),
    ...(trust.linkedByStatedEmail ? [strings.Verification_LinkedByStatedEmail] : []),
    ...(trust.linkedByCallerId ? [strings.Verification_LinkedByCallerId] : []),
  ];
}
