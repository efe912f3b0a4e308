/** `opencx-relay`: run the relay, inspect and retry handoffs, run the Dataverse sandbox. */
import { Command } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { readDataAtRestSettings } from './config/data-at-rest.js';
import { loadConfig } from './config/load.js';
import { messages } from './messages.js';
import { recordAudit } from './privacy/audit.js';
import { openStore, startRelay, StartupError, vaultFor } from './server.js';
import type { RoutePayload } from './delivery/route-step.js';
import { HANDOFF_STATUSES, type HandoffRecord, type HandoffStatus } from './store/types.js';

function configOrExit() {
  loadDotenv({ quiet: true });
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`The relay's configuration has ${result.errors.length} problem(s):\n`);
    for (const error of result.errors) process.stderr.write(`  - ${error}\n`);
    process.exit(1);
  }
  return result.config;
}

/**
 * Commands that work on the store need its location and its keys (PAYLOAD_ENCRYPTION_KEYS, and the phone
 * country erase normalises with), not the whole configuration.
 */
function storeOnly() {
  loadDotenv({ quiet: true });
  const { settings, errors } = readDataAtRestSettings(process.env);
  if (errors.length) {
    for (const error of errors) process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  const country = process.env.PHONE_DEFAULT_COUNTRY?.trim().toUpperCase() || 'US';
  return openStore(
    { databaseUrl: process.env.RELAY_DATABASE_URL, dataDir: process.env.RELAY_DATA_DIR ?? 'data' },
    vaultFor({ dataAtRest: settings, phoneDefaultCountry: country }),
  );
}

/** The case a route record routes: its payload names it (unless retention has removed the payload). */
function routedCaseOf(record: HandoffRecord): string {
  try {
    return (JSON.parse(record.payload) as RoutePayload).handoffKey;
  } catch {
    return '?';
  }
}

function line(record: HandoffRecord): string {
  // A skipped record says why (its note); a failing one its error code and reason.
  const error = record.lastError
    ? `  ${record.lastError.code ?? ''} ${record.lastError.reason}`
    : record.status === 'skipped' && record.note
      ? `  ${record.note}`
      : '';
  // A routing step (APPLY_ROUTING_RULES=unified) names itself and its case: it is not a handoff of its own.
  const kind = record.kind === 'route' ? `  route for ${record.incidentId ?? routedCaseOf(record)}` : '';
  const removed = record.payloadRemoved ? `  payload ${record.payloadRemoved.reason}` : '';
  return `${record.key}  ${record.status.padEnd(10)}  ${new Date(record.receivedAt).toISOString()}  ${record.ticketNumber ?? '-'}  attempts=${record.attempts}${kind}${error}${removed}`;
}

const program = new Command('opencx-relay').description('OpenCX handoffs into Dynamics 365 cases');

program
  .command('start')
  .description('run the relay (intake + delivery) with the configuration from the environment and .env')
  .action(async () => {
    const config = configOrExit();
    try {
      const relay = await startRelay(config);
      const shutdown = () => {
        void relay.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      // After the handlers: stdout to a pipe is synchronous, and a reader may signal us at once.
      process.stdout.write(
        `opencx-relay operations on ${relay.opsUrl}\nopencx-relay listening on ${relay.url}\n`,
      );
    } catch (error) {
      if (error instanceof StartupError) {
        process.stderr.write(
          `The relay did not start:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`,
        );
        process.exit(1);
      }
      throw error;
    }
  });

const handoffs = program.command('handoffs').description('inspect and retry stored handoffs');
handoffs
  .command('list')
  .option('--status <status>', `only this status (${HANDOFF_STATUSES.join(', ')})`)
  .option('--limit <n>', 'at most this many, newest first', '50')
  .option('--json', 'one JSON object per line')
  .action(async (options: { status?: string; limit: string; json?: boolean }) => {
    if (options.status && !HANDOFF_STATUSES.includes(options.status as HandoffStatus)) {
      process.stderr.write(`--status must be one of: ${HANDOFF_STATUSES.join(', ')}\n`);
      process.exit(1);
    }
    const store = storeOnly();
    await store.init();
    const records = await store.list({
      status: options.status as HandoffStatus | undefined,
      limit: Number(options.limit),
    });
    for (const record of records) {
      const { payload: _payload, ...visible } = record;
      process.stdout.write(options.json ? `${JSON.stringify(visible)}\n` : `${line(record)}\n`);
    }
    if (!options.json && records.length === 0) process.stdout.write('No handoffs.\n');
    await store.close();
  });
handoffs
  .command('show <id>')
  .option('--json', 'as JSON')
  .action(async (id: string, options: { json?: boolean }) => {
    const store = storeOnly();
    await store.init();
    const record = await store.get(id);
    await store.close();
    if (!record) {
      process.stderr.write(`No handoff ${id}.\n`);
      process.exit(1);
    }
    // The transcript never leaves the store through the CLI: show its size only.
    const { payload, ...visible } = record;
    const shown = { ...visible, payloadBytes: Buffer.byteLength(payload) };
    process.stdout.write(
      options.json
        ? `${JSON.stringify(shown, null, 2)}\n`
        : `${line(record)}\n${JSON.stringify(shown, null, 2)}\n`,
    );
  });
handoffs
  .command('retry [id]')
  .option('--failed', 'retry every failed handoff')
  .action(async (id: string | undefined, options: { failed?: boolean }) => {
    if (!id && !options.failed) {
      process.stderr.write('Name a handoff id, or pass --failed to retry every failed one.\n');
      process.exit(1);
    }
    const store = storeOnly();
    await store.init();
    const keys = id ? [id] : (await store.list({ status: 'failed', limit: 100_000 })).map((r) => r.key);
    let done = 0;
    for (const key of keys) {
      if (await store.retry(key, Date.now())) done += 1;
      if (keys.length > 1 && process.stdout.isTTY) process.stdout.write(`\rretrying ${done}/${keys.length}`);
    }
    await recordAudit(store, 'retry', { requested: keys.length, queued: done }, Date.now());
    const removed = id && done === 0 ? (await store.get(id))?.payloadRemoved : undefined;
    await store.close();
    process.stdout.write(
      `${keys.length > 1 && process.stdout.isTTY ? '\n' : ''}Queued ${done} handoff(s) for delivery.\n`,
    );
    if (removed) process.stdout.write(`${messages.dataAtRest.nothingToRetry(removed.reason)}\n`);
    if (id && done === 0) process.exitCode = 1;
  });

handoffs
  .command('erase')
  .description(
    "erase one caller's data from the store (their payloads, dead letters included) and list their cases in Dynamics 365",
  )
  .option(
    '--phone <number>',
    "the caller's phone number (any format; national numbers read in PHONE_DEFAULT_COUNTRY)",
  )
  .option('--email <address>', "the caller's email address")
  .option('--session <id>', 'an OpenCX session id')
  .option('--include-pending', 'also erase handoffs not delivered yet: their cases are then never created')
  .option('--dry-run', 'show what would be erased, change nothing')
  .option('--json', 'the result as JSON')
  .action(
    async (options: {
      phone?: string;
      email?: string;
      session?: string;
      includePending?: boolean;
      dryRun?: boolean;
      json?: boolean;
    }) => {
      const { eraseCaller, formatEraseReport } = await import('./privacy/erase.js');
      const store = storeOnly();
      await store.init();
      try {
        const report = await eraseCaller(store, options, { now: Date.now() });
        if ('problem' in report) {
          process.stderr.write(`${report.problem}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : formatEraseReport(report),
        );
        if (report.busy.length) process.exitCode = 1;
      } finally {
        await store.close();
      }
    },
  );

const storeCommands = program
  .command('store')
  .description('the handoff store: encryption at rest, audit trail');
storeCommands
  .command('rekey')
  .description(
    'seal every stored payload under the first key of PAYLOAD_ENCRYPTION_KEYS (after a rotation, or once keys are set)',
  )
  .option('--batch <n>', 'handoffs per batch', '500')
  .option('--json', 'the result as JSON')
  .action(async (options: { batch: string; json?: boolean }) => {
    const { formatRekeyReport, rekeyStore } = await import('./privacy/rekey.js');
    const { progressOn } = await import('./privacy/progress.js');
    const store = storeOnly();
    await store.init();
    try {
      const state = await store.dataAtRest();
      const problem =
        state.lookupKeyProblem ?? (state.primaryKeyId ? undefined : messages.dataAtRest.rekeyNeedsKeys);
      if (problem) {
        process.stderr.write(`${problem}\n`);
        process.exitCode = 1;
        return;
      }
      const progress = options.json ? undefined : progressOn(process.stderr, 'rekey');
      const report = await rekeyStore(store, {
        now: Date.now,
        batchSize: Math.max(1, Number(options.batch) || 500),
        onProgress: (done, total) => progress?.update(done, total),
      });
      progress?.stop();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatRekeyReport(report));
      if (report.unreadable.length || report.left) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });
storeCommands
  .command('audit')
  .description('the audit trail: every operator action that changed stored data (newest first)')
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'one JSON object per line')
  .action(async (options: { limit: string; json?: boolean }) => {
    const store = storeOnly();
    await store.init();
    const entries = await store.auditTrail(Math.max(1, Number(options.limit) || 50));
    await store.close();
    const { formatAuditEntry } = await import('./privacy/audit.js');
    for (const entry of entries)
      process.stdout.write(`${options.json ? JSON.stringify(entry) : formatAuditEntry(entry)}\n`);
    if (!options.json && entries.length === 0) process.stdout.write(`${messages.rekey.noAudit}\n`);
  });

program
  .command('verify')
  .description(
    'check, in order, everything the relay needs to create cases in Dataverse, naming the fix for each failure',
  )
  .option('--json', 'the report as JSON')
  .action(async (options: { json?: boolean }) => {
    loadDotenv({ quiet: true });
    const { verify } = await import('./admin/verify.js');
    const { formatReport } = await import('./admin/report.js');
    const report = await verify(process.env);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    process.exitCode = report.ok ? 0 : 1;
  });

program
  .command('setup')
  .description(
    'create the "Unidentified caller" placeholder customer if missing and print the values to configure',
  )
  .option('--json', 'the result as JSON')
  .action(async (options: { json?: boolean }) => {
    loadDotenv({ quiet: true });
    const { setup, formatSetup } = await import('./admin/setup.js');
    const result = await setup(process.env);
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatSetup(result));
    process.exitCode = result.ok ? 0 : 1;
  });

const insights = program
  .command('insights')
  .description("supervisors' insights: the Case columns that carry each handoff as data");
insights
  .command('backfill')
  .description(
    'fill the insights columns of cases created before the org had them, from their description header',
  )
  .option('--since <when>', 'cases created since: 30d, 12h or an ISO date', '30d')
  .option('--dry-run', 'print what would be written, write nothing')
  .option('--batch-size <n>', 'cases per page and per $batch change set', '50')
  .option('--json', 'the report as JSON')
  .action(async (options: { since: string; dryRun?: boolean; batchSize: string; json?: boolean }) => {
    loadDotenv({ quiet: true });
    const { backfillCommand } = await import('./insights/backfill-command.js');
    process.exitCode = await backfillCommand(process.env, options, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      tty: process.stderr.isTTY === true,
    });
  });

program
  .command('sandbox')
  .description('run the local Dataverse sandbox (a test double)')
  .option('--port <n>', 'port (0 picks a free one)', '0')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .action(async (options: { port: string; host: string }) => {
    const { runSandboxCli } = await import('@opencx-d365/dataverse-sandbox');
    await runSandboxCli({ port: Number(options.port), host: options.host });
  });

await program.parseAsync(process.argv);
