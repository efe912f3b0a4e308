// The load generator of bench/retention-size.mjs, in a process of its own: `--count` distinct signed 4 KB
// handoffs at `--rate` per second, each one sent to every relay in `--ports` (so the relays compared side by
// side receive the same handoffs at the same moments). Prints a JSON line per second with what was sent and
// answered, and a last one with the totals.
// Usage: node bench/steady-load.mjs --ports 4001,4002 --count 100000 --rate 200 --label L
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { BENCH_SECRET, handoffOfSize } from './bench-env.mjs';

const { values: args } = parseArgs({
  options: {
    ports: { type: 'string' },
    count: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '200' },
    label: { type: 'string', default: 'steady' },
  },
});
const ports = args.ports.split(',').map(Number);
const count = Number(args.count);
const rate = Number(args.rate);

const base = handoffOfSize('phone-full-details.json', 4096);
const key = Buffer.from(BENCH_SECRET.slice('whsec_'.length), 'base64');

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const answered = { accepted: 0, other: 0, errors: 0 };
let inFlight = 0;
let sent = 0;
let skipped = 0;

function post(port, i) {
  const body = JSON.stringify({ ...base, session_id: `${args.label}-${i}` });
  const id = `msg_${args.label}_${i}`;
  const at = Math.floor(Date.now() / 1000);
  const signature = `v1,${createHmac('sha256', key).update(`${id}.${at}.${body}`).digest('base64')}`;
  inFlight += 1;
  const request = http.request(
    {
      agent,
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/handoffs',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'webhook-id': id,
        'webhook-timestamp': String(at),
        'webhook-signature': signature,
      },
    },
    (response) => {
      response.resume();
      response.once('end', () => {
        inFlight -= 1;
        if (response.statusCode === 202) answered.accepted += 1;
        else answered.other += 1;
      });
    },
  );
  request.once('error', () => {
    inFlight -= 1;
    answered.errors += 1;
  });
  request.end(body);
}

// Sent in ticks of 50 ms; a relay that falls far behind (too many answers outstanding) is not flooded: what
// could not be sent on time is counted as skipped, so the rate stays the offered one.
const started = Date.now();
const tick = setInterval(() => {
  const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate));
  while (sent < due) {
    if (inFlight > 2000) {
      skipped += due - sent;
      sent = due;
      break;
    }
    for (const port of ports) post(port, sent);
    sent += 1;
  }
}, 50);
const report = setInterval(() => {
  console.log(
    JSON.stringify({
      seconds: Math.round((Date.now() - started) / 1000),
      sent,
      skipped,
      inFlight,
      ...answered,
    }),
  );
  if (sent >= count && inFlight === 0) {
    clearInterval(tick);
    clearInterval(report);
    agent.destroy();
    console.log(JSON.stringify({ done: true, sent, skipped, ...answered }));
  }
}, 1000);
