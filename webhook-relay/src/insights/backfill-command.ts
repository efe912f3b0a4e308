/**
 * The body of `opencx-relay insights backfill [--since 30d] [--dry-run] [--batch-size 50] [--json]`: the
 * configuration, the Dataverse client, the relay's store for the shared 429 pause, a progress bar, and what
 * is printed. The run itself is insights/backfill.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Env } from '../config/load.js';
import type { RelayConfig } from '../config/types.js';
import { adminClient, DATAVERSE_VARIABLES, loadForAdmin, problemsOf } from '../admin/config.js';
import { dataversePauseScope } from '../delivery/retry-policy.js';
import { messages } from '../messages.js';
import { openStore } from '../server.js';
import type { HandoffStore } from '../store/types.js';
import { runBackfill, type BackfillProgress, type BackfillReport } from './backfill.js';
import { CALLER_VERIFICATION, CHANNEL, HANDOFF_REASON, SENTIMENT_AT_HANDOFF } from './columns.js';
import { ownPause, storePause, type SharedPause } from './shared-pause.js';

export interface BackfillCommandOptions {
  since: string;
  dryRun?: boolean;
  batchSize: string;
  json?: boolean;
}

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Draw a progress bar (stderr is a terminal). */
  tty: boolean;
  now?: () => number;
}

const m = messages.backfill;
const HOUR_MS = 3_600_000;

/** `30d`, `12h`, or an ISO 8601 date or time (a date alone is midnight UTC); undefined when it is none of them. */
export function parseSince(text: string, now: number): Date | undefined {
  const relative = /^(\d{1,5})([dh])$/.exec(text.trim());
  if (relative) {
    const amount = Number(relative[1]);
    return amount > 0 ? new Date(now - amount * (relative[2] === 'd' ? 24 : 1) * HOUR_MS) : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim();
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || ms > now ? undefined : new Date(ms);
}

/** The relay's store, for the shared pause: PostgreSQL when configured, the embedded one when its file exists. */
async function relayStore(config: RelayConfig): Promise<HandoffStore | undefined> {
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'relay.sqlite'))) return undefined;
  try {
    const store = openStore(config);
    await store.init();
    return store;
  } catch {
    return undefined;
  }
}

const CHOICE_CODES = Object.fromEntries(
  [HANDOFF_REASON, SENTIMENT_AT_HANDOFF, CHANNEL, CALLER_VERIFICATION].map((choice) => [
    choice.logicalName,
    new Map([
      [choice.other, 'other'],
      ...Object.entries(choice.options).map(([code, value]) => [value, code] as const),
    ]),
  ]),
);

/** `column=value`, a choice with its OpenCX code first so a person can read it. */
function describeFields(fields: Record<string, string | number>): string {
  return Object.entries(fields)
    .map(([column, value]) => {
      const code = CHOICE_CODES[column]?.get(Number(value));
      return `${column}=${code ? `${code} (${value})` : value}`;
    })
    .join(', ');
}

export function formatBackfill(report: BackfillReport, pause: SharedPause['kind']): string {
  const lines = [
    m.heading(report.since, report.dryRun),
    `  ${pause === 'store' ? m.pauseShared : m.pauseOwn}`,
  ];
  if (report.notInstalled) return `${[...lines, '', m.notInstalled].join('\n')}\n`;
  const ours = report.read - report.notOurs;
  lines.push(`  ${m.read(report.read, ours, report.notOurs)}`);
  lines.push(`  ${m.filled(report.filled, report.dryRun, report.complete)}`);
  if (report.pauses || report.retries) lines.push(`  ${m.pauses(report.pauses, report.retries)}`);
  for (const change of report.changes)
    lines.push(m.change(change.ticketNumber ?? '-', change.incidentId, describeFields(change.fields)));
  if (report.failed.length) {
    lines.push(m.failed(report.failed.length));
    for (const f of report.failed)
      lines.push(m.failure(f.ticketNumber ?? '-', f.incidentId, f.code, f.reason));
  }
  if (report.stopped) lines.push('', m.stopped(report.stopped.code, report.stopped.reason));
  else if (!report.filled && !report.failed.length) lines.push('', m.nothingToDo);
  return `${lines.join('\n')}\n`;
}

/** Runs the command; resolves with its exit code. */
export async function backfillCommand(
  env: Env,
  options: BackfillCommandOptions,
  io: CommandIo,
): Promise<number> {
  const now = io.now ?? Date.now;
  const since = parseSince(options.since, now());
  if (!since) {
    io.err(`--since ${options.since}: ${m.since}\n`);
    return 1;
  }
  const batchSize = Number(options.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    io.err(`--batch-size ${options.batchSize}: ${m.batchSize}\n`);
    return 1;
  }
  const admin = loadForAdmin(env);
  const problems = problemsOf(admin, [...DATAVERSE_VARIABLES.url, ...DATAVERSE_VARIABLES.token]);
  if (problems.length || !admin.config) {
    io.err(`${m.configProblems(problems.length)}\n${problems.map((p) => `  - ${p}\n`).join('')}`);
    return 1;
  }
  const config = admin.config;
  const store = await relayStore(config);
  const pause = store ? storePause(store, dataversePauseScope(config)) : ownPause();
  const bar =
    io.tty && !options.json
      ? new SingleBar({
          stream: process.stderr,
          clearOnComplete: true,
          format: m.bar(options.dryRun === true),
        })
      : undefined;
  let shownPause = 0;
  const onProgress = (progress: BackfillProgress) => {
    if (progress.pausedUntil && progress.pausedUntil !== shownPause) {
      shownPause = progress.pausedUntil;
      if (!bar) io.err(`${m.paused(new Date(progress.pausedUntil).toISOString())}\n`);
    }
    if (!bar) return;
    const total = Math.max(progress.total ?? 0, progress.read);
    const paused = progress.pausedUntil ? ` (${m.paused(new Date(progress.pausedUntil).toISOString())})` : '';
    if (!bar.isActive) bar.start(total, progress.read, { filled: progress.filled, paused });
    bar.setTotal(total);
    bar.update(progress.read, { filled: progress.filled, paused });
  };
  try {
    const report = await runBackfill(
      { since, dryRun: options.dryRun === true, batchSize },
      {
        client: adminClient(config),
        dataverseUrl: config.dataverseUrl,
        pause,
        policy: config.delivery,
        onProgress,
      },
    );
    bar?.stop();
    io.out(
      options.json
        ? `${JSON.stringify({ ...report, pause: pause.kind }, null, 2)}\n`
        : formatBackfill(report, pause.kind),
    );
    return report.notInstalled || report.stopped || report.failed.length ? 1 : 0;
  } finally {
    bar?.stop();
    await store?.close();
  }
}
