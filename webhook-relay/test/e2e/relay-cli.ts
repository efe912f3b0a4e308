/** Runs the built relay (`opencx-relay start`) as a child process for end-to-end tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');

/** Builds the packages the CLI runs from, unless they are built already. */
export function ensureBuilt(): void {
  const built = ['transcript-format', 'dataverse-sandbox', 'webhook-relay'].every((p) =>
    existsSync(path.join(root, p, 'dist/index.js')),
  );
  if (built) return;
  const result = spawnSync('npm', ['run', 'build:packages'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('could not build the packages for the end-to-end test');
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the relay with `env` (port 0 unless PORT is given) and resolves once it listens. */
export function startRelayCli(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /opencx-relay listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`relay exited (${String(code)}) before listening:\n${output}`)),
    );
  });
}

/** The value of a Prometheus sample on the relay's /metrics (0 when absent). */
export async function metric(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
