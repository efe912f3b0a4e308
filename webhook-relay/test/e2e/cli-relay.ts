/**
 * The built `opencx-relay` CLI as a child process, for end-to-end tests: start it, read what it logs, ask
 * its store through the CLI, kill it. Builds the packages first when they are not built. Every process
 * still running when its test ends is killed (before that test's temporary directories are removed).
 */
import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { beforeAll } from 'vitest';
import { FAST_RETRY_ENV, onCleanup, sandboxEnv, tempDir } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '../../..');
export const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');

beforeAll(() => {
  const built = ['transcript-format', 'contact-match', 'dataverse-sandbox', 'webhook-relay'].every((p) =>
    existsSync(path.join(root, p, 'dist/index.js')),
  );
  if (!built) {
    const result = spawnSync('npm', ['run', 'build:packages'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('could not build the packages for the end-to-end test');
  }
}, 180_000);

/** How to run the CLI: its working directory, and whether it inherits this process's environment. */
export interface CliOptions {
  cwd?: string;
  /** false: the child sees only the `env` given (tests of settings the host's environment must not leak into). */
  inheritEnv?: boolean;
}

/**
 * The CLI as a container given exactly `env` would run it: none of this host's variables (no stray AZURE_*),
 * from an empty directory (no .env file).
 */
export const isolated = (): CliOptions => ({ cwd: tempDir(), inheritEnv: false });

function spawnCli(
  args: string[],
  env: Record<string, string>,
  options: CliOptions,
): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: options.cwd,
    env: options.inheritEnv === false ? env : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  return child;
}

/** The CLI relay's environment for `sandboxUrl`: a store of its own, fast retries, then `extra`. */
export function cliRelayEnv(sandboxUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...sandboxEnv(sandboxUrl), ...FAST_RETRY_ENV, RELAY_DATA_DIR: tempDir(), ...extra };
}

export interface CliRelay {
  child: ChildProcess;
  url: string;
  /** The operations listener: /metrics, /readyz in detail. */
  opsUrl: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** The JSON log lines whose message contains `text`. */
  logLines(text: string): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves when the process has exited. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `opencx-relay start` with `env` (on 127.0.0.1, port 0 for intake and operations, unless PORT / HOST /
 * OPS_PORT say otherwise) and resolves once it listens; rejects with what it wrote if it exits first.
 */
export function startCliRelay(env: Record<string, string>, options: CliOptions = {}): Promise<CliRelay> {
  const child = spawnCli(['start'], { PORT: '0', HOST: '127.0.0.1', OPS_PORT: '0', ...env }, options);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let listening = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /opencx-relay listening on (http:\/\/\S+)/.exec(output);
      const ops = /opencx-relay operations on (http:\/\/\S+)/.exec(output);
      if (match && ops && !listening) {
        listening = true;
        resolve({
          child,
          url: match[1],
          opsUrl: ops[1],
          output: () => output,
          logLines: (text) =>
            output
              .split('\n')
              .filter((line) => line.startsWith('{') && line.includes(text))
              .map((line) => JSON.parse(line) as Record<string, unknown>),
          kill: (signal) => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      if (!listening) reject(new Error(`relay exited (${String(code)}) before listening:\n${output}`));
    });
  });
}

/**
 * Runs a command that talks to Dataverse (verify, setup) to completion without blocking this process,
 * which may be the one hosting the sandbox.
 */
export function runCliAsync(
  args: string[],
  env: Record<string, string>,
  options: CliOptions = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** The stored record of a handoff, read through `opencx-relay handoffs show --json`. */
export async function storedHandoff(
  key: string,
  env: Record<string, string>,
): Promise<{
  kind: string;
  status: string;
  attempts: number;
  note?: string;
  lastError?: { code?: string; message: string; reason: string };
}> {
  const shown = await runCliAsync(['handoffs', 'show', key, '--json'], env);
  if (shown.status !== 0) throw new Error(shown.stderr);
  return JSON.parse(shown.stdout) as Awaited<ReturnType<typeof storedHandoff>>;
}

/** Every stored record's key and status, through `opencx-relay handoffs list --json` (one process). */
export async function storedStatuses(env: Record<string, string>): Promise<Map<string, string>> {
  const listed = await runCliAsync(['handoffs', 'list', '--json', '--limit', '1000'], env);
  if (listed.status !== 0) throw new Error(listed.stderr);
  const rows = listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { key: string; status: string });
  return new Map(rows.map((row) => [row.key, row.status]));
}

/** The value of a Prometheus sample on the relay's /metrics (0 when absent), at its operations listener. */
export async function metric(opsUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
