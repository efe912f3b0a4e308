// What the relay benchmarks share: the relay's environment against a Dataverse sandbox, the webhook secret
// they sign with, and the PostgreSQL server and throwaway schemas of the store benchmarks.
import pg from 'pg';
import { SEED_IDS } from '../dataverse-sandbox/dist/index.js';

export const BENCH_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const BENCH_DATABASE_URL =
  process.env.RELAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The relay's environment against a sandbox at `url` (no token: the sandbox is on loopback). */
export function sandboxRelayEnv(url) {
  return {
    DATAVERSE_URL: url,
    DATAVERSE_AUTH: 'none',
    DEFAULT_QUEUE_ID: SEED_IDS.voiceQueue,
    DEFAULT_OWNER_ID: SEED_IDS.owner,
    UNIDENTIFIED_CUSTOMER_ID: SEED_IDS.unidentifiedCaller,
    WEBHOOK_SECRETS: BENCH_SECRET,
  };
}

export async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
