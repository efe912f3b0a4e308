/**
 * The write of a handoff's case: resolves the customer (at most one GET), creates contact + case + queue item
 * [+ note] in one `$batch` change set with a ticket-number read-back, and says how it went. A 412 on the case
 * means an earlier attempt already created it.
 */
import type { BatchResponsePart } from '../dataverse/batch.js';
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { DUPLICATE_KEY } from '../dataverse/errors.js';
import type { HandoffDocument } from '../handoff/document.js';
import type { DeliveryContext } from './context.js';
import {
  customerAfterDuplicate,
  customerLookup,
  resolveCustomer,
  type CustomerResolution,
} from './customer.js';
import { outcomeOfFailure, relayFailure, type DeliveryOutcome } from './delivery-outcome.js';
import { planIncident } from './plan.js';
import { shownRedactions } from './redact-step.js';

type SendContext = Pick<DeliveryContext, 'config' | 'dataverse' | 'metadata'>;

/** Creates the case for `key` from `document`; never throws: any failure is an outcome. */
export async function sendCase(
  context: SendContext,
  key: string,
  document: HandoffDocument,
): Promise<DeliveryOutcome> {
  try {
    return await createCase(context, key, document, await findCustomer(context, document));
  } catch (error) {
    return error instanceof DataverseRequestError ? outcomeOfFailure(error.failure) : relayFailure(error);
  }
}

async function findCustomer(
  { config, dataverse }: SendContext,
  document: HandoffDocument,
): Promise<CustomerResolution> {
  const lookup = customerLookup(document, config);
  const rows = lookup
    ? (await dataverse.get<{ value: Array<{ contactid: string }> }>(lookup.path)).value
    : [];
  return resolveCustomer(document, lookup, rows, config.phoneDefaultCountry);
}

async function createCase(
  { config, dataverse, metadata }: SendContext,
  key: string,
  document: HandoffDocument,
  found: CustomerResolution,
): Promise<DeliveryOutcome> {
  let customer = found;
  for (;;) {
    const plan = planIncident(key, document, customer, config, metadata, {
      redactions: shownRedactions(document),
    });
    try {
      const results = await dataverse.batch(plan.operations, [plan.readBack]);
      return { status: 'created', ticketNumber: ticketNumberOf(results.at(-1)) };
    } catch (error) {
      if (!(error instanceof DataverseRequestError) || error.failure.code !== DUPLICATE_KEY) throw error;
      const contentId = (error as DataverseRequestError & { contentId?: string }).contentId;
      const linked = customerAfterDuplicate(customer, contentId);
      if (!linked) return { status: 'duplicate', ticketNumber: await readTicket(dataverse, key) };
      customer = linked;
    }
  }
}

const ticketNumberOf = (readBack: BatchResponsePart | undefined): string | undefined =>
  readBack?.status === 200
    ? (JSON.parse(readBack.body) as { ticketnumber?: string }).ticketnumber
    : undefined;

async function readTicket(dataverse: DataverseClient, key: string): Promise<string | undefined> {
  const row = await dataverse.get<{ ticketnumber?: string }>(`incidents(${key})?$select=ticketnumber`);
  return row.ticketnumber;
}
