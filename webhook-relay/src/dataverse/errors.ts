/**
 * Classifies a Dataverse answer: can a retry succeed, and what should an operator read?
 * Codes from the project's Dataverse reference (errors.json).
 */
import { messages } from '../messages.js';
export interface DataverseFailure {
  httpStatus: number;
  code: string;
  message: string;
  retryable: boolean;
  /** Seconds, from Retry-After on a 429. */
  retryAfterSeconds?: number;
  reason: string;
}

const REASONS: Record<string, string> = {
  '0x80048d19':
    'Dataverse refused a field binding or the $batch body; this is a relay bug or an unsupported customisation.',
  '0x0':
    'Dataverse refused a value or an unknown column: check TICKET_PROPERTIES and customisations of the incident table.',
  '0x8004431a':
    'An option value is not valid for this org: check DEFAULT_PRIORITY, CASE_ORIGIN_MAP and TICKET_PROPERTIES (run `opencx-relay verify`).',
  '0x80044331':
    'A value is longer than the column allows; the relay reads lengths at start, so the metadata changed: restart the relay.',
  '0x80044410': 'The case has no customer: check UNIDENTIFIED_CUSTOMER_ID.',
  '0x80040528': 'The queue item has no queue: check DEFAULT_QUEUE_ID.',
  '0x80040526': 'The case already has an active queue item.',
  '0x80040225': 'The default owner is disabled or has no business unit: check DEFAULT_OWNER_ID.',
  '0x80040217':
    'A record the case points at does not exist: check DEFAULT_QUEUE_ID, DEFAULT_OWNER_ID and UNIDENTIFIED_CUSTOMER_ID.',
  '0x80040220':
    'The relay\'s application user lacks a privilege (the message names it): assign the "OpenCX Handoff Relay" role; prvWriteIncident comes with "OpenCX Handoff Relay - Routing" (APPLY_ROUTING_RULES=legacy or unified) or "OpenCX Handoff Relay - Append" (APPEND_AFTER_HANDOFF). `opencx-relay verify` names the role the configuration lacks.',
  '0x80072560':
    'The application registration has no application user in this environment: create it in the Power Platform admin center.',
  '0x80040333': 'A duplicate-detection rule refused the record: adjust the rule or let reps merge.',
  '0x80048573': 'Dataverse refused a leading-wildcard query.',
};

/**
 * Dataverse's duplicate-key error code: "Cannot insert duplicate key", -2147220937 = 0x80040237 (Troubleshoot
 * Dataverse client errors), DuplicateRecord, answered 412 (Compose HTTP requests and handle errors: Identify
 * status codes). Every caller recognises a duplicate by this code, never by the status.
 */
export const DUPLICATE_KEY = '0x80040237';
const DUPLICATE_KEY_MESSAGE = 'A record with matching key values already exists.';

export function classify(
  status: number,
  reportedCode: string,
  message: string,
  retryAfter?: string | null,
): DataverseFailure {
  // A 412 with an empty code and "A record with matching key values already exists." is documented for a
  // PATCH with If-None-Match: * (Perform conditional operations using the Web API: Prevent update in upsert),
  // which the relay never sends. Assumption: an org could answer a create so; read as the duplicate it is,
  // since every caller recognises a duplicate by its code. An empty-code 412 with another message (the etag
  // mismatch of Apply optimistic concurrency) stays what it is.
  const code =
    reportedCode === '' && status === 412 && message.startsWith(DUPLICATE_KEY_MESSAGE)
      ? DUPLICATE_KEY
      : reportedCode;
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  // 0x80040265 IsvAborted: a synchronous plug-in threw InvalidPluginExecutionException, which "returns to the
  // caller with a friendly message and an IsvAborted error code" (MS Learn, Use InvalidPluginExecutionException
  // in plug-ins and workflow activities). The plug-in decided: the same create meets the same refusal, whatever
  // HTTP status carries it, so it is never retried.
  const refusedByPlugin = code === '0x80040265';
  const retryable =
    !refusedByPlugin &&
    (status === 0 || status === 429 || (status >= 500 && code !== '0x80040333') || status === 408);
  let reason = refusedByPlugin ? messages.delivery.pluginRefused(message.slice(0, 500)) : REASONS[code];
  if (!reason) {
    if (status === 401)
      reason =
        'Dataverse did not accept the token: check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or certificate.';
    else if (status === 429)
      reason = 'Dataverse service protection limit: the relay pauses and resumes by itself.';
    else if (status >= 500 || status === 0)
      reason = 'Dataverse or the network failed; the relay retries with backoff.';
    else reason = 'Dataverse refused the request.';
  }
  return { httpStatus: status, code, message: message.slice(0, 1000), retryable, retryAfterSeconds, reason };
}
