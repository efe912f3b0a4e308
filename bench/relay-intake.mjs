// Intake throughput and latency for signed handoffs, durable in the embedded store, side by side with a
// bare fastify route on the same machine. Usage: node bench/relay-intake.mjs [seconds=8] [concurrency=8]
// Needs `npm run build:packages` first.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';

const here = import.meta.dirname;
const seconds = Number(process.argv[2] ?? 8);
const concurrency = Number(process.argv[3] ?? 8);
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const base = JSON.parse(
  readFileSync(path.join(here, '../webhook-relay/test/fixtures/handoffs/phone-full-details.json'), 'utf8'),
);
const webhook = new Webhook(secret);

function startServer(mode) {
  const child = spawn(process.execPath, [path.join(here, 'relay-intake-server.mjs'), mode], {
    env: { ...process.env, BENCH_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) =>
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) })),
  );
}

async function drive(port, label) {
  // Sign ahead of time so the client's cost is not measured as the server's.
  const prepared = [];
  const estimate = seconds * 4000;
  for (let i = 0; i < estimate; i += 1) {
    const body = JSON.stringify({ ...base, session_id: `${label}-${i}` });
    const id = `msg_${label}_${i}`;
    const now = new Date();
    prepared.push({
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now / 1000)),
        'webhook-signature': webhook.sign(id, now, body),
      },
    });
  }
  const latencies = [];
  let next = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end && next < prepared.length) {
        const request = prepared[next++];
        const t0 = performance.now();
        const response = await fetch(`http://127.0.0.1:${port}/v1/handoffs`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (response.status >= 300) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    label,
    requests: latencies.length,
    rate: latencies.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    errors,
  };
}

const results = [];
for (const mode of ['bare', 'relay']) {
  const { child, port } = await startServer(mode);
  await drive(port, `${mode}-warmup`).catch(() => undefined);
  results.push(await drive(port, mode));
  child.kill();
}
const [bare, relay] = results;
console.log(`intake, ${seconds}s per run, ${concurrency} concurrent keep-alive clients, 2-core machine`);
console.log('| route | requests | req/s | p50 ms | p99 ms | non-2xx |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.label} | ${r.requests} | ${r.rate.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
  );
console.log(
  `relay / bare throughput: ${(relay.rate / bare.rate).toFixed(2)}; target >= 1,000/s and p99 <= 25 ms: ${relay.rate >= 1000 && relay.p99 <= 25 ? 'met' : 'NOT met'}`,
);
