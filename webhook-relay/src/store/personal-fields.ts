/**
 * What removing a payload clears (retention and `handoffs erase`), in both stores' SQL: every column that can
 * carry what a caller said or who they are. What stays is the small record without personal data (key,
 * kind, status, attempts, incident id, ticket number, timestamps, error code) that `handoffs list/show` read
 * and that still answers a re-delivery of the same handoff.
 */
export const CLEAR_PERSONAL_FIELDS =
  "payload = '', session_id = '', note = NULL, last_error = NULL, key_id = NULL, " +
  'phone_hash = NULL, email_hash = NULL, session_hash = NULL';

/** The statuses whose payload PAYLOAD_RETENTION removes; `failed` has DEAD_LETTER_RETENTION. */
export const SETTLED_SQL = "'created', 'duplicate', 'skipped'";
