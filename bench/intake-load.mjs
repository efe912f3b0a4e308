// The load generator of bench/relay-intake.mjs, in a process of its own so that it never shares an event
// loop with the server it measures: autocannon over `--connections` keep-alive connections, every request a
// distinct handoff (its own session id and webhook id) signed ahead of time, so that nothing is answered as
// a duplicate and signing is not measured as the server's cost. Prints one JSON line with the figures.
// Usage: node bench/intake-load.mjs --port N --seconds S --connections C --label L [--rate-hint R] [--repeat]
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Webhook } from 'standardwebhooks';
import { BENCH_SECRET, handoffOfSize } from './bench-env.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '32' },
    label: { type: 'string', default: 'run' },
    // Requests signed ahead: seconds × this; past them each request is made and signed when it is sent
    // (never a repeat), or, with --repeat, the list starts again (for the bare route, which ignores bodies).
    'rate-hint': { type: 'string', default: '16000' },
    repeat: { type: 'boolean', default: false },
  },
});
const seconds = Number(args.seconds);

// Standard Webhooks: v1 = base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)). Signed with node:crypto
// here (100,000 bodies in well under a second); the first one is checked against the standardwebhooks
// package so the two cannot drift apart.
const key = Buffer.from(BENCH_SECRET.slice('whsec_'.length), 'base64');
const sign = (id, seconds, body) =>
  `v1,${createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64')}`;

const base = handoffOfSize('phone-full-details.json', 4096);
const count = Math.ceil(seconds * Number(args['rate-hint']));
const nowSeconds = Math.floor(Date.now() / 1000);
const requestOf = (i) => {
  const id = `msg_${args.label}_${i}`;
  const body = JSON.stringify({ ...base, session_id: `${args.label}-${i}` });
  return {
    method: 'POST',
    path: '/v1/handoffs',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': sign(id, nowSeconds, body),
    },
  };
};
const prepared = Array.from({ length: count }, (_, i) => requestOf(i));
const first = prepared[0];
if (
  new Webhook(BENCH_SECRET).sign(first.headers['webhook-id'], new Date(nowSeconds * 1000), first.body) !==
  first.headers['webhook-signature']
)
  throw new Error('intake-load: node:crypto and standardwebhooks disagree on a signature');

let next = 0;
const result = await autocannon({
  url: `http://127.0.0.1:${args.port}`,
  connections: Number(args.connections),
  duration: seconds,
  requests: [
    {
      setupRequest(request) {
        const i = next;
        next += 1;
        const made = i < count ? prepared[i] : args.repeat ? prepared[i % count] : requestOf(i);
        return { ...request, ...made };
      },
    },
  ],
});
const accepted = result.statusCodeStats?.['202']?.count ?? 0;
const ok = result['2xx'] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    label: args.label,
    seconds: result.duration,
    requests: result.requests.total,
    rate: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok,
    accepted,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    signedAhead: count,
    signedLate: args.repeat ? 0 : Math.max(0, next - count),
  })}\n`,
);
