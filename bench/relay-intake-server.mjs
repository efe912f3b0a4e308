// Child process for bench/relay-intake.mjs: serves either the real relay intake (embedded store, no worker)
// or a bare fastify route returning 204, on loopback, and prints its port.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { buildApp, createEmbeddedStore } from '../webhook-relay/dist/index.js';

const mode = process.argv[2];
let app;
if (mode === 'bare') {
  app = Fastify();
  app.post('/v1/handoffs', async (_request, reply) => reply.code(204).send());
} else {
  const store = createEmbeddedStore({
    file: path.join(mkdtempSync(path.join(tmpdir(), 'bench-intake-')), 'relay.sqlite'),
  });
  await store.init();
  app = buildApp({
    config: { webhookSecrets: [process.env.BENCH_SECRET], bodyLimit: 5 * 1024 * 1024 },
    store,
  });
}
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${app.server.address().port}\n`);
