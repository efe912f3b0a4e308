/**
 * The admin guide is walked, not just read: every `opencx-relay` command, flag and variable it names must
 * exist, and its `setup` and `verify` steps are run with the built CLI against the Dataverse sandbox, pasting
 * into `verify` what `setup` printed, as an admin would. The output the guide quotes must be what they print.
 */
import { defaultSeed, SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { messages } from '../../src/messages.js';
import { sandboxEnv, testSandbox } from '../helpers.js';
import { isolated, runCliAsync } from '../e2e/cli-relay.js';
import { PLATFORM_VARIABLES, read, variablesRead } from './documented.js';

const GUIDE = 'docs/admin-guide.md';

/** Runs the built CLI in an empty directory (no .env) with only the given variables besides PATH. */
function run(args: string[], env: Record<string, string> = {}) {
  return runCliAsync(args, { PATH: process.env.PATH ?? '', ...env }, isolated());
}

/** Commander's help: the names under "Commands:" and the flags under "Options:". */
function helpSections(help: string): { commands: string[]; flags: string[] } {
  const section = (name: string) => {
    const start = help.indexOf(`${name}:\n`);
    if (start === -1) return [];
    const rest = help.slice(start + name.length + 2);
    const end = rest.search(/\n\n|\n[A-Z][a-z]+:\n/);
    return (end === -1 ? rest : rest.slice(0, end)).split('\n').map((line) => line.trim());
  };
  return {
    commands: section('Commands').map((line) => line.split(/[\s[<]/)[0] ?? ''),
    flags: section('Options').flatMap((line) => [...line.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0])),
  };
}

/** Commands whose flags belong to their subcommands. */
const SUBCOMMANDS = new Set(['handoffs', 'store']);
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Lines compared without ids (the guide's are examples) and without the padding that aligns columns. */
const normalise = (line: string) => line.replace(GUID, '<id>').replace(/\s+/g, ' ').trim();

/** The fenced block that follows an HTML comment starting with `marker`. */
function quotedOutput(guide: string, marker: string): string[] {
  const at = guide.indexOf(`<!-- ${marker}`);
  expect(at, `${GUIDE} quotes the ${marker}`).toBeGreaterThan(-1);
  const open = guide.indexOf('```\n', at) + 4;
  const close = guide.indexOf('\n```', open);
  return guide.slice(open, close).split('\n').map(normalise).filter(Boolean);
}

/** `opencx-relay <command> [--flag…]` as the guide writes it, in code blocks and inline code. */
function commandsNamed(guide: string): Array<{ command: string; flags: string[] }> {
  const found: Array<{ command: string; flags: string[] }> = [];
  for (const [, rest] of guide.matchAll(/opencx-relay\s+([a-z][^`\n#]*)/g)) {
    const words = (rest ?? '').trim().split(/\s+/);
    // A command with subcommands (`handoffs erase`): its flags are the subcommand's.
    const sub = /^[a-z]+$/.test(words[1] ?? '') && SUBCOMMANDS.has(words[0] ?? '') ? ` ${words[1]}` : '';
    found.push({ command: `${words[0] ?? ''}${sub}`, flags: words.filter((w) => w.startsWith('--')) });
  }
  // Inline mentions without the program name: `setup --json`, `verify --json`.
  for (const [, command, flags] of guide.matchAll(/`([a-z]+)((?: --[a-z-]+)+)`/g)) {
    found.push({ command: command ?? '', flags: (flags ?? '').trim().split(/\s+/) });
  }
  return found;
}

describe('docs/admin-guide.md, walked', () => {
  const guide = read(GUIDE);

  it('names only commands and flags the CLI has', async () => {
    const named = commandsNamed(guide);
    expect(named.map((n) => n.command)).toEqual(expect.arrayContaining(['setup', 'verify']));
    const top = helpSections((await run(['--help'])).stdout);
    expect(top.commands).toEqual(expect.arrayContaining(['start', 'verify', 'setup']));
    const flagsOf = new Map<string, Set<string>>();
    for (const { command, flags } of named) {
      expect(top.commands, `the guide names "opencx-relay ${command}"`).toContain(command.split(' ')[0]);
      flagsOf.set(command, new Set([...(flagsOf.get(command) ?? []), ...flags]));
    }
    for (const [command, flags] of flagsOf) {
      const own = helpSections((await run([...command.split(' '), '--help'])).stdout);
      for (const flag of flags) expect(own.flags, `the guide names "${command} ${flag}"`).toContain(flag);
    }
  }, 60_000);

  it('names only variables the relay reads', () => {
    const relayReads = variablesRead();
    const named = new Set<string>();
    for (const [, name] of guide.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)/g)) named.add(name ?? '');
    for (const [, name] of guide.matchAll(/^[ \t]*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=/gm)) named.add(name ?? '');
    expect(named.size).toBeGreaterThan(10);
    expect(
      [...named].filter((name) => !relayReads.has(name) && !PLATFORM_VARIABLES.has(name)).sort(),
    ).toEqual([]);
  });

  it("names only checks verify has, in step 7's table", () => {
    const start = guide.indexOf('## 7. Run `verify`');
    const table = guide.slice(start, guide.indexOf('\n## ', start + 1));
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| check') && !line.startsWith('| ---'))
      .map((line) => line.split('|')[1]?.trim() ?? '');
    expect(rows.length).toBeGreaterThan(8);
    const titles: string[] = Object.values(messages.verify.titles);
    expect(rows.filter((row) => !titles.includes(row))).toEqual([]);
  });

  it('runs setup, then verify with what setup printed, and prints what the guide quotes', async () => {
    // A fresh org: no placeholder customer yet.
    const seed = defaultSeed();
    seed.contacts = (seed.contacts ?? []).filter((row) => row.contactid !== SEED_IDS.unidentifiedCaller);
    const dv = await testSandbox({ seed });
    // Step 5: the connection and the owner; the queue and the placeholder come from setup.
    const { UNIDENTIFIED_CUSTOMER_ID: _id, DEFAULT_QUEUE_ID: _queue, ...env } = sandboxEnv(dv.url);

    // Step 6.
    const setupText = await run(['setup'], env);
    expect(setupText.status).toBe(0);
    const printed = setupText.stdout.split('\n').map(normalise);
    for (const line of quotedOutput(guide, 'setup output')) expect(printed).toContain(line);

    const setupJson = await run(['setup', '--json'], env);
    expect(setupJson.status).toBe(0);
    const result = JSON.parse(setupJson.stdout) as {
      configure: Record<string, string>;
      choices: { queues: Array<{ id: string; name: string }> };
    };
    const queue = result.choices.queues.find((q) => q.name === 'Voice support');
    expect(queue).toBeDefined();

    // Paste what setup printed, then step 7.
    const pasted = { ...env, ...result.configure, DEFAULT_QUEUE_ID: queue?.id ?? '' };
    const verifyText = await run(['verify'], pasted);
    expect(verifyText.status, verifyText.stdout).toBe(0);
    const reported = verifyText.stdout.split('\n').map(normalise);
    for (const line of quotedOutput(guide, 'verify output')) expect(reported).toContain(line);

    const verifyJson = await run(['verify', '--json'], pasted);
    const report = JSON.parse(verifyJson.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; forms?: Array<{ name: string; status: string }> }>;
    };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'placeholder')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'queue')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'forms')?.forms).toEqual([
      expect.objectContaining({ name: 'Case for Multisession experience', status: 'found' }),
      expect.objectContaining({ name: 'Case for Interactive experience', status: 'missing' }),
    ]);
  }, 60_000);
});
