// Dataverse requests per handoff, counted by the sandbox, against the naive sequence
// (lookup, create contact, create incident, create queue item, create note, read back).
// Needs `npm run build:packages` first. Usage: node bench/relay-requests.mjs
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox } from '../dataverse-sandbox/dist/index.js';
import {
  createDeliveryWorker,
  createEmbeddedStore,
  handoffKey,
  loadConfig,
} from '../webhook-relay/dist/index.js';
import { createDataverseClient } from '../webhook-relay/dist/dataverse/client.js';
import { prepareDelivery } from '../webhook-relay/dist/delivery/metadata.js';
import { sandboxRelayEnv } from './bench-env.mjs';

const fixtures = path.join(import.meta.dirname, '../webhook-relay/test/fixtures/handoffs');
const documents = readdirSync(fixtures)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f.replace('.json', ''), JSON.parse(readFileSync(path.join(fixtures, f), 'utf8'))]);
const base = Object.fromEntries(documents)['phone-no-email'];
documents.push(
  [
    'generated: email of an existing contact',
    { ...base, session_id: 'g1', customer: { name: 'Priya Raman', email: 'priya.raman@example.com' } },
  ],
  [
    'generated: new email',
    { ...base, session_id: 'g2', customer: { name: 'New Caller', email: 'new.caller@example.org' } },
  ],
  [
    'generated: phone match in another format',
    { ...base, session_id: 'g3', customer: { phone: '+1 (415) 555-0103' } },
  ],
  ['generated: no customer', { ...base, session_id: 'g4', customer: undefined }],
);

const sandbox = await startSandbox({ metadata: { maxLength: { 'incident.description': 2000 } } });
const result = loadConfig({
  ...sandboxRelayEnv(sandbox.url),
});
if (!result.ok) throw new Error(result.errors.join('\n'));
const config = result.config;
const store = createEmbeddedStore({
  file: path.join(mkdtempSync(path.join(tmpdir(), 'bench-req-')), 'relay.sqlite'),
});
await store.init();
const dataverse = createDataverseClient({ url: config.dataverseUrl, auth: config.auth, timeoutMs: 10_000 });
const prepared = await prepareDelivery(config, dataverse);
const worker = createDeliveryWorker({ config, store, dataverse, metadata: prepared.metadata });

console.log('| handoff | requests | naive | what |');
console.log('|---|---:|---:|---|');
const counts = [];
for (const [name, document] of documents) {
  const key = handoffKey(document.session_id, document.handoff_at);
  await store.insert({
    key,
    kind: 'handoff',
    sessionId: document.session_id,
    payload: JSON.stringify(document),
    now: Date.now(),
  });
  const before = sandbox.requests.length;
  await worker.runOnce();
  const made = sandbox.requests.slice(before);
  const batch = made.find((r) => r.path.endsWith('$batch'));
  const ops = batch?.operations ?? [];
  const creates = ops.filter((o) => o.method === 'POST').length;
  const lookup = made.some((r) => r.path.endsWith('/contacts')) ? 1 : 0;
  // Naive: one request per create, plus the lookup, plus a read-back of the ticket number.
  const naive = lookup + creates + 1;
  counts.push({ made: made.length, naive });
  console.log(
    `| ${name} | ${made.length} | ${naive} | ${made.map((r) => (r.path.endsWith('$batch') ? `$batch[${ops.map((o) => o.method + ' ' + o.url.split('/').pop().split('?')[0]).join(', ')}]` : `${r.method} ${r.path.split('/').pop()}`)).join(' → ')} |`,
  );
}
const typical = [...counts.map((c) => c.made)].sort((a, b) => a - b)[Math.floor(counts.length / 2)];
const worst = Math.max(...counts.map((c) => c.made));
const total = counts.reduce((s, c) => s + c.made, 0);
const naiveTotal = counts.reduce((s, c) => s + c.naive, 0);
console.log(
  `\nrequests per handoff: typical (median) ${typical}, worst ${worst}; all handoffs ${total} vs naive ${naiveTotal} (ratio ${(total / naiveTotal).toFixed(2)}). Target: <= 2 typical, <= 3 worst.`,
);
await store.close();
await sandbox.close();
