/**
 * The README's quick start, as a newcomer runs it: `npm start` in the background, wait for
 * "Demo ready", check the sample cases in the sandbox and a transcript in Chromium, then Ctrl+C and
 * check that nothing is left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { launchChromium } from './chromium';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLES = readdirSync(path.join(ROOT, 'examples/handoffs')).filter((f) => f.endsWith('.json')).length;

let demo: ChildProcess | undefined;

afterAll(() => {
  // Only if a test failed half-way: never leave a demo running.
  if (demo?.pid && groupAlive(demo.pid)) process.kill(-demo.pid, 'SIGKILL');
});

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the quick start (npm start)', () => {
  it('runs the demo, shows a transcript, and stops cleanly on Ctrl+C', async () => {
    // The same command the README gives; port 0 so a busy 4280 on this machine does not matter.
    demo = spawn('npm', ['start', '--', '--port', '0'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const ready = await new Promise<string>((resolve, reject) => {
      demo!.stdout!.on('data', (c: Buffer) => {
        output += c.toString();
        const match = /Demo ready: (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      demo!.once('exit', (code) =>
        reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)),
      );
    });
    expect(output).toMatch(/\[1\/5\][\s\S]*\[5\/5\]/);
    const relayUrl = /Relay on (http:\/\/\S+)/.exec(output)![1];
    const sandboxUrl = /Dataverse sandbox \(a local test double\) on (http:\/\/\S+)/.exec(output)![1];

    const incidents = (await (
      await fetch(`${sandboxUrl}/api/data/v9.2/incidents?$select=incidentid,title`)
    ).json()) as {
      value: { incidentid: string; title: string }[];
    };
    expect(incidents.value).toHaveLength(SAMPLES);
    // The samples are moved to this week (scripts/demo/as-of-today.ts), so the supervisor's per-day chart,
    // which shows the last weeks, has them: every handoff within the last three days, none in the future.
    const handoffs = (await (
      await fetch(`${sandboxUrl}/api/data/v9.2/incidents?$select=opencx_handoffon`)
    ).json()) as { value: { opencx_handoffon: string }[] };
    for (const { opencx_handoffon } of handoffs.value) {
      const age = Date.now() - Date.parse(opencx_handoffon);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(3 * 86_400_000);
    }

    const { browser, close } = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(ready);
      await page.getByRole('link', { name: 'Delivery change - Dana Whitfield' }).click();
      await page.waitForSelector('body[data-ready="true"]');
      const log = page.getByRole('log');
      await log.waitFor();
      expect(await log.textContent()).toContain('Thanks for calling Northwind Supplies');
      expect(await page.getByRole('link', { name: 'Open in OpenCX' }).getAttribute('href')).toMatch(
        /^https:\/\//,
      );
      // The README's demo caller: looked up as her case opens, her contact and Link before any click,
      // and one click links her (the sandbox holds the bind).
      await page.goto(ready);
      await page.getByRole('link', { name: 'Billing question - Priya Raman' }).click();
      await page.waitForSelector('body[data-ready="true"]');
      await page.getByText('One contact has this number:').waitFor();
      const section = page.getByRole('region', { name: 'Link contact by phone' });
      expect(await section.textContent()).toContain('Priya Raman · priya.raman@example.com · 4155550103');
      await section.getByRole('button', { name: 'Link to this case' }).click();
      await page.getByText('Priya Raman is now the customer of this case.').waitFor();
      const id = /\/case\/([0-9a-f-]{36})/.exec(page.url())![1];
      const linked = (await (
        await fetch(`${sandboxUrl}/api/data/v9.2/incidents(${id})?$select=_customerid_value`)
      ).json()) as { _customerid_value: string };
      expect(linked._customerid_value).toBe(SEED_IDS.contacts.digits);
    } finally {
      await close();
    }

    const exited = new Promise<void>((resolve) => demo!.once('close', () => resolve()));
    // Ctrl+C in a terminal signals the whole foreground group: npm, the shell, tsx and the demo.
    process.kill(-demo.pid!, 'SIGINT');
    await exited;
    expect(output).toContain('Stopped.');
    // Every server of the demo is closed, and no process of its group is left.
    for (const url of [ready, relayUrl, sandboxUrl]) expect(await refused(url)).toBe(true);
    // Children exit with their parent; give the kernel a moment to reap them.
    await expect.poll(() => groupAlive(demo!.pid!), { timeout: 10_000, interval: 200 }).toBe(false);
  });
});

describe('the quick start on a busy port', () => {
  it('names the port, says how to choose another, and leaves nothing running', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const child = spawn('npm', ['start', '--', '--port', String(port)], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} (preview page) is already in use`);
      expect(output).toContain('npm start -- --port 4300');
      await expect.poll(() => groupAlive(child.pid!), { timeout: 10_000, interval: 200 }).toBe(false);
    } finally {
      busy.close();
    }
  });
});

describe('the quick start on a fresh clone', () => {
  // `npm start` must run before `npm run build` ever has: until its build step is done, nothing it loads
  // may come from a workspace's dist/. CI builds before testing, so this reads the module graph instead.
  it('loads no built workspace package before its build step', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // eslint-disable-next-line regexp/no-super-linear-backtracking -- our own source files, read by a test
      for (const [, what, from] of source.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
        if (what) continue; // type-only: erased before it runs
        if (from.startsWith('@opencx-d365/')) offenders.push(`${path.relative(ROOT, file)} → ${from}`);
        if (from.startsWith('.')) visit(path.resolve(path.dirname(file), from.replace(/\.js$/, '.ts')));
      }
    };
    visit(path.join(ROOT, 'scripts/demo/start.ts'));
    expect(seen.size).toBeGreaterThan(3);
    expect(offenders).toEqual([]);
  });
});
