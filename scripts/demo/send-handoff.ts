/**
 * `npm run demo:handoff -- <file.json>`: sends one more handoff document to the running demo's relay,
 * signed with that run's secret, and prints where the case can be opened.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { shiftHandoff } from './as-of-today.js';
import { postHandoff } from './signed-post.js';
import { readState } from './state.js';

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('Usage: npm run demo:handoff -- examples/handoffs/<name>.json');
    process.exit(2);
  }
  const state = readState();
  if (!state) {
    console.error('No demo is running here. Start it first: npm start');
    process.exit(1);
  }
  let body: string;
  try {
    body = readFileSync(path.resolve(process.env.INIT_CWD ?? process.cwd(), file), 'utf8');
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    process.exit(1);
  }
  let sent = body;
  try {
    sent = shiftHandoff(body, state.sampleDays ?? 0);
  } catch {
    // Not JSON: sent as it is, and the relay says what is wrong with it.
  }
  const answer = await postHandoff(state.relayUrl, state.webhookSecret, sent);
  if (answer.status === 202 || answer.status === 200) {
    console.log(
      `${answer.status === 202 ? 'Accepted' : 'Already received'}: handoff ${answer.body.handoff_id} (${answer.body.status}).`,
    );
    console.log(`Open the case: ${state.previewUrl}/case/${answer.body.incident_id}`);
    return;
  }
  console.error(`The relay answered ${answer.status}: ${JSON.stringify(answer.body, null, 2)}`);
  process.exit(1);
}

void main();
