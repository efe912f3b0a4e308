/**
 * The rep's first screen (issue 21), in headless Chromium against the Dataverse sandbox: the log opens at
 * the handoff (a 2,000-turn case on a phone included), Jump to handoff and Latest by keyboard, the caller
 * looked up as the case opens, and axe on the first screen in every theme and language. Screenshots of
 * what the rep sees without scrolling go to test-results/ (and, with UPDATE_DOC_IMAGES=1, docs/images/).
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, SEED_IDS, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import type { Transcript } from '@opencx-d365/transcript-format';
import type { HandoffDocument } from '../../webhook-relay/src/handoff/document';
import { transcriptOf } from '../../webhook-relay/src/delivery/transcript';
import { startPreview, type Preview } from '../../preview/src/server';
import { longTranscript } from '../control/fixtures';
import { createCase } from './cases';
import { launchChromium } from './chromium';
import { axeViolations, openControlPage } from './control-page';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS = path.join(ROOT, 'test-results');
const DESKTOP = { width: 1100, height: 900 };
const PHONE = { width: 375, height: 740 };
/** The first-screen screenshots the README shows. */
const DOC_IMAGES = new Set([
  'control-first-screen',
  'control-first-screen-dark',
  'control-first-screen-arabic',
  'control-first-screen-phone',
  'control-first-screen-phone-dark-arabic',
  'control-first-screen-phone-2000-turns',
]);

const CASES = {
  long: '55555555-5555-4555-8555-555555555551',
  after: '55555555-5555-4555-8555-555555555552',
  priya: '55555555-5555-4555-8555-555555555553',
  priyaEarlier: '55555555-5555-4555-8555-555555555554',
  firstScreen: '55555555-5555-4555-8555-555555555555',
};

/** The README's demo case: examples/handoffs/billing-different-phone-format.json, as the relay writes it. */
function priyaTranscript(): Transcript {
  const file = path.join(ROOT, 'examples/handoffs/billing-different-phone-format.json');
  return transcriptOf(JSON.parse(readFileSync(file, 'utf8')) as HandoffDocument, 'none');
}

/** A 2,000-turn call with turns added after the handoff (a person took over and kept talking). */
function withTurnsAfterHandoff(): Transcript {
  const t = longTranscript(2000);
  const start = Date.parse(t.header.handoffAt!);
  t.afterHandoff = Array.from({ length: 30 }, (_, i) => ({
    at: new Date(start + (i + 1) * 4000).toISOString().replace('.000Z', 'Z'),
    role: i % 2 === 0 ? ('human_agent' as const) : ('contact' as const),
    name: i % 2 === 0 ? 'Rosa' : undefined,
    text: `After the handoff, turn ${i + 1}`,
  }));
  return t;
}

let sandbox: Sandbox;
let preview: Preview;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  sandbox = await startSandbox({ port: 0 });
  const placeholder = SEED_IDS.unidentifiedCaller;
  // Shortened to the description column the way the relay does it, with the whole call in a note.
  await createCase(sandbox.url, {
    id: CASES.long,
    title: 'Long call',
    transcript: longTranscript(2000),
    customerId: placeholder,
    maxLength: 2000,
  });
  await createCase(sandbox.url, {
    id: CASES.after,
    title: 'Long call, taken over',
    transcript: withTurnsAfterHandoff(),
    customerId: placeholder,
    maxLength: 2000,
  });
  for (const id of [CASES.priya, CASES.firstScreen])
    await createCase(sandbox.url, {
      id,
      title: 'Billing question - Priya Raman',
      transcript: priyaTranscript(),
      customerId: placeholder,
    });
  // An earlier case of hers, still open: the lookup shows it as a link.
  const earlier = priyaTranscript();
  earlier.header.sessionId = 'earlier-session';
  await createCase(sandbox.url, {
    id: CASES.priyaEarlier,
    title: 'Refund for invoice 6610',
    transcript: earlier,
    customerId: SEED_IDS.contacts.digits,
  });
  preview = await startPreview({
    sandboxUrl: sandbox.url,
    placeholderCustomerId: placeholder,
    defaultCountry: 'US',
  });
  ({ browser, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
  await preview?.close();
  await sandbox?.close();
});

function openCase(id: string, query = '', viewport = DESKTOP): Promise<Page> {
  return openControlPage(browser, `${preview.url}/case/${id}${query}`, viewport);
}

async function shot(page: Page, name: string) {
  const file = path.join(RESULTS, `${name}.png`);
  // The viewport only: what the rep sees before scrolling anything.
  await page.screenshot({ path: file });
  if (process.env.UPDATE_DOC_IMAGES === '1' && DOC_IMAGES.has(name)) {
    mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
    copyFileSync(file, path.join(ROOT, 'docs/images', `${name}.png`));
  }
}

interface RowPlace {
  index: number;
  /** Wholly inside the browser window (no page scrolling needed). */
  inWindow: boolean;
  /** Wholly inside the log's scrolled viewport. */
  inLog: boolean;
}

/** Where the log's row whose text matches `pattern` is, or null when it is not rendered. */
function placeOf(page: Page, pattern: string): Promise<RowPlace | null> {
  return page.evaluate((source) => {
    const log = document.querySelector<HTMLElement>('[role=log]')!;
    const rows = [...log.querySelectorAll<HTMLElement>('[data-index]')];
    const row = rows.find((r) => new RegExp(source).test(r.textContent ?? ''));
    if (!row) return null;
    const box = row.getBoundingClientRect();
    const view = log.getBoundingClientRect();
    return {
      index: Number(row.dataset.index),
      inWindow: box.top >= 0 && box.bottom <= window.innerHeight,
      inLog: box.top >= view.top - 0.5 && box.bottom <= view.bottom + 0.5,
    };
  }, pattern);
}

/** Where the focused element is, as a log row (its index), or null when focus is elsewhere. */
function focusedRow(page: Page): Promise<{ index: number; inLog: boolean } | null> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    const log = document.querySelector<HTMLElement>('[role=log]')!;
    if (!active?.dataset.index || !log.contains(active)) return null;
    const box = active.getBoundingClientRect();
    const view = log.getBoundingClientRect();
    return {
      index: Number(active.dataset.index),
      inLog: box.top >= view.top - 0.5 && box.bottom <= view.bottom + 0.5,
    };
  });
}

describe('the first screen', () => {
  it('opens a 2,000-turn case on a phone with the handoff divider in view, without scrolling', async () => {
    const page = await openCase(CASES.long, '', PHONE);
    // The description was shortened: the whole call comes from the note, and the log reopens at its end.
    await page.getByText(/this is the full transcript from the note/).waitFor();
    await page.getByRole('log', { name: /2000 turns/ }).waitFor();
    await expect
      .poll(async () => ({
        divider: await placeOf(page, '^Handed off to a person'),
        before: await placeOf(page, 'parcel 2999$'),
        scrolled: await page.evaluate(() => window.scrollY),
      }))
      .toEqual({
        divider: { index: expect.any(Number) as number, inWindow: true, inLog: true },
        before: { index: expect.any(Number) as number, inWindow: true, inLog: true },
        scrolled: 0,
      });
    await shot(page, 'control-first-screen-phone-2000-turns');
    // The header facts are folded on a phone; the brief is open.
    expect(await page.locator('#control details').getAttribute('open')).toBeNull();
    await page.getByRole('heading', { name: 'At handoff' }).waitFor();
    // Screen readers hear where a row is in the whole transcript, though only a window is rendered.
    const divider = page.locator('[role=listitem]', { hasText: /^Handed off to a person/ });
    expect(await divider.getAttribute('aria-setsize')).toBe(String(2000 + 2));
    expect(Number(await divider.getAttribute('aria-posinset'))).toBeGreaterThan(2000);
    await page.close();
  });

  it('goes to the newest turns with Latest and back with Jump to handoff, by keyboard', async () => {
    const page = await openCase(CASES.after, '', PHONE);
    await page.getByRole('log', { name: /2030 turns/ }).waitFor();
    // Thirty turns after the handoff do not fit under it: the divider opens in view, the end does not.
    await expect.poll(() => placeOf(page, '^Handed off to a person').then((p) => p?.inLog)).toBe(true);
    expect((await placeOf(page, 'After the handoff, turn 30$'))?.inLog ?? false).toBe(false);

    // On a phone the toolbar is one row: Latest is in "More actions", one Tab after Jump to handoff.
    const search = page.getByRole('searchbox', { name: 'Search the transcript' });
    await search.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'More actions',
    );
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Latest' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Latest');
    await page.keyboard.press('Enter');
    await expect.poll(() => placeOf(page, 'After the handoff, turn 30$').then((p) => p?.inLog)).toBe(true);
    await expect.poll(() => focusedRow(page)).toEqual({ index: expect.any(Number) as number, inLog: true });
    const last = await focusedRow(page);

    await search.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Jump to handoff');
    await page.keyboard.press('Enter');
    await expect.poll(() => placeOf(page, '^Handed off to a person').then((p) => p?.inLog)).toBe(true);
    const divider = await placeOf(page, '^Handed off to a person');
    await expect.poll(() => focusedRow(page)).toEqual({ index: divider!.index, inLog: true });
    expect(last!.index).toBeGreaterThan(divider!.index);
    await page.close();
  });

  it('shows the demo caller’s contact, her open cases and Link before any click; one click links her', async () => {
    const seen = sandbox.requests.length;
    const page = await openCase(CASES.priya);
    await page.getByText('One contact has this number:').waitFor();
    const section = page.getByRole('region', { name: 'Link contact by phone' });
    expect(await section.textContent()).toContain('Priya Raman · priya.raman@example.com · 4155550103');
    const earlier = section.getByRole('link', { name: /Refund for invoice 6610/ });
    expect(await earlier.getAttribute('href')).toBe(
      `/main.aspx?pagetype=entityrecord&etn=incident&id=${CASES.priyaEarlier}`,
    );
    await shot(page, 'control-first-screen-lookup');
    // Read-only so far: one contact search, no write.
    const sent = () => sandbox.requests.slice(seen);
    const searches = () => sent().filter((r) => r.method === 'GET' && r.path.endsWith('/contacts'));
    expect(searches()).toHaveLength(1);
    expect(sent().filter((r) => r.method !== 'GET')).toEqual([]);

    await section.getByRole('button', { name: 'Link to this case' }).click();
    await page.getByText('Priya Raman is now the customer of this case.').waitFor();
    const response = await fetch(
      `${sandbox.url}/api/data/v9.2/incidents(${CASES.priya})?$select=_customerid_value`,
    );
    const incident = (await response.json()) as { _customerid_value: string };
    expect(incident._customerid_value).toBe(SEED_IDS.contacts.digits);
    expect(searches()).toHaveLength(1);
    await page.close();
  });

  it('opens one of the found contact’s open cases in place, as a form would', async () => {
    const page = await openCase(CASES.firstScreen);
    await page.getByRole('link', { name: /Refund for invoice 6610/ }).click();
    await page.waitForURL(new RegExp(`/case/${CASES.priyaEarlier}$`));
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByText('Customer: Priya Raman').waitFor();
    await page.close();
  });

  const matrix = (['light', 'dark', 'high-contrast'] as const).flatMap((theme) =>
    ([1033, 1036, 1025] as const).flatMap((lang) =>
      (['desktop', 'phone'] as const).map((width) => ({ theme, lang, width })),
    ),
  );
  it.each(matrix)('has no axe violations on the first screen: $theme, $lang, $width', async (c) => {
    const page = await openCase(
      CASES.firstScreen,
      `?theme=${c.theme}&lang=${c.lang}`,
      c.width === 'phone' ? PHONE : DESKTOP,
    );
    // The lookup on open has come back (her email is in the found contact's line).
    await page.getByText(/priya\.raman@example\.com/).waitFor();
    await expect.poll(() => placeOf(page, '').then((p) => p !== null)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    const name = [
      'control-first-screen',
      c.width === 'phone' ? 'phone' : '',
      c.theme === 'light' ? '' : c.theme,
      { 1033: '', 1036: 'french', 1025: 'arabic' }[c.lang],
    ]
      .filter(Boolean)
      .join('-');
    await shot(page, name);
    await page.close();
  });
});
