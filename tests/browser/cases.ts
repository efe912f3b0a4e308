/** Puts cases into the Dataverse sandbox the way the relay leaves them (description, and a note when shortened). */
import { fit, write, type Transcript } from '@opencx-d365/transcript-format';
import { transcriptNoteBody } from '../../webhook-relay/src/delivery/plan';

/** annotation.notetext's maximum length (the sandbox enforces the documented 100,000). */
const NOTE_MAX_LENGTH = 100_000;

export async function createCase(
  sandboxUrl: string,
  kase: { id: string; title: string; transcript: Transcript; customerId: string; maxLength?: number },
): Promise<void> {
  const api = `${sandboxUrl}/api/data/v9.2/`;
  const subject = `OpenCX transcript ${kase.transcript.header.sessionId ?? ''}`;
  const description =
    kase.maxLength === undefined
      ? write(kase.transcript)
      : fit(kase.transcript, { maxLength: kase.maxLength, fullTextRef: `note "${subject}"` }).text;
  const post = async (set: string, body: Record<string, unknown>) => {
    const response = await fetch(`${api}${set}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${set}: ${response.status} ${await response.text()}`);
  };
  await post('incidents', {
    incidentid: kase.id,
    title: kase.title,
    description,
    'customerid_contact@odata.bind': `/contacts(${kase.customerId})`,
  });
  // The relay's own note body: the text, or a transcript.txt attachment past a note's 100,000 characters.
  if (kase.maxLength !== undefined)
    await post('annotations', transcriptNoteBody(kase.id, subject, write(kase.transcript), NOTE_MAX_LENGTH));
}
