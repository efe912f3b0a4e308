/** Sends a handoff document to the relay the way a sender must: Standard Webhooks-signed. */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface RelayAnswer {
  status: number;
  body: { handoff_id?: string; incident_id?: string; status?: string; title?: string; detail?: string };
}

export async function postHandoff(relayUrl: string, secret: string, body: string): Promise<RelayAnswer> {
  const id = `msg_${randomUUID()}`;
  const at = new Date();
  const response = await fetch(`${relayUrl}/v1/handoffs`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as RelayAnswer['body'] };
}
