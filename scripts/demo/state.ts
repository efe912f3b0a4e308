/** What a running demo tells other commands (`npm run demo:handoff`): where it is and its secret. */
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const DEMO_DIR = path.resolve(import.meta.dirname, '../../data/demo');
const FILE = path.join(DEMO_DIR, 'state.json');

export interface DemoState {
  pid: number;
  relayUrl: string;
  previewUrl: string;
  sandboxUrl: string;
  webhookSecret: string;
  /** Days the samples were moved forward (as-of-today.ts); `demo:handoff` moves its file the same. */
  sampleDays: number;
}

export function writeState(state: DemoState): void {
  mkdirSync(DEMO_DIR, { recursive: true });
  writeFileSync(FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function readState(): DemoState | undefined {
  try {
    const state = JSON.parse(readFileSync(FILE, 'utf8')) as DemoState;
    process.kill(state.pid, 0); // throws when that demo is no longer running
    return state;
  } catch {
    return undefined;
  }
}

export function clearState(): void {
  rmSync(FILE, { force: true });
}
