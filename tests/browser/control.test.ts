/**
 * The control as a rep sees it: the production bundle in headless Chromium, hosted by the preview page,
 * talking to the Dataverse sandbox over real HTTP, with the React and Fluent of one platform combination
 * (OPENCX_PLATFORM, set by the vitest project; see preview/src/platforms.ts). Screenshots go to
 * test-results/<combination>/ (and, with UPDATE_DOC_IMAGES=1, from the combination model-driven apps run
 * today, to docs/images/ for the README).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, SEED_IDS, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { isPlatformId } from '../../preview/src/platforms';
import { startPreview, type Preview } from '../../preview/src/server';
import { longTranscript, transcript } from '../control/fixtures';
import { createCase } from './cases';
import { launchChromium } from './chromium';
import { axeViolations, openControlPage } from './control-page';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLATFORM = process.env.OPENCX_PLATFORM ?? 'declared';
if (!isPlatformId(PLATFORM)) throw new Error(`OPENCX_PLATFORM=${PLATFORM} is not a known combination`);
const RESULTS = path.join(ROOT, 'test-results', PLATFORM);
/** The screenshots the README shows. */
const DOC_IMAGES = new Set(['control', 'control-dark', 'control-phone', 'control-arabic']);

const CASES = {
  full: '11111111-1111-4111-8111-111111111111',
  long: '22222222-2222-4222-8222-222222222222',
  link: '33333333-3333-4333-8333-333333333333',
  rtl: '44444444-4444-4444-8444-444444444444',
};

let sandbox: Sandbox;
let preview: Preview;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  sandbox = await startSandbox({ port: 0 });
  const customerId = SEED_IDS.unidentifiedCaller;
  await createCase(sandbox.url, {
    id: CASES.full,
    title: 'Delivery change - Dana Whitfield',
    transcript: transcript('phone-full-details'),
    customerId,
  });
  await createCase(sandbox.url, {
    id: CASES.long,
    title: 'Long call',
    transcript: longTranscript(400),
    customerId,
    maxLength: 2000,
  });
  // The caller's number as the transcript has it (+1 415-555-0103); the contact stored it as digits.
  const caller = transcript('phone-no-email');
  caller.header.customer = { name: 'Priya Raman', phone: '+1 415-555-0103' };
  await createCase(sandbox.url, {
    id: CASES.link,
    title: 'Billing - Priya Raman',
    transcript: caller,
    customerId,
  });
  await createCase(sandbox.url, {
    id: CASES.rtl,
    title: 'RTL',
    transcript: transcript('unicode-rtl'),
    customerId,
  });
  preview = await startPreview({
    sandboxUrl: sandbox.url,
    placeholderCustomerId: customerId,
    defaultCountry: 'US',
    platform: PLATFORM,
  });
  ({ browser, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
  await preview?.close();
  await sandbox?.close();
});

async function openCase(id: string, query = '', viewport = { width: 1100, height: 900 }): Promise<Page> {
  const page = await openControlPage(browser, `${preview.url}/case/${id}${query}`, viewport);
  // The page runs the combination's React, not whatever the bundle was built against. (react-dom 18.3.1
  // reports itself as 18.3.1-next-…: only the release is compared.)
  const versions = await page.evaluate(
    () =>
      (window as unknown as { OpenCXPreview: { versions: Record<string, string> } }).OpenCXPreview.versions,
  );
  expect({ react: versions.react, reactDom: versions.reactDom.split('-')[0] }).toEqual({
    react: preview.platform.versions.react,
    reactDom: preview.platform.versions.reactDom,
  });
  return page;
}

async function shot(page: Page, name: string) {
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_DOC_IMAGES === '1' && PLATFORM === 'model-driven' && DOC_IMAGES.has(name)) {
    mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
    copyFileSync(file, path.join(ROOT, 'docs/images', `${name}.png`));
  }
}

describe('the transcript control in Chromium', () => {
  it('opens a case, shows the call and searches it', async () => {
    const page = await openCase(CASES.full, '?tz=-480');
    await expect(page.getByRole('heading', { name: 'Delivery change' }).isVisible()).resolves.toBe(true);
    const link = page.getByRole('link', { name: 'Open in OpenCX' });
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await page.getByRole('log').textContent()).toContain('6:02:12 AM');
    // Rows are measured and laid out one under the other: none overlaps, none is clipped.
    await expect
      .poll(() =>
        page.evaluate(() => {
          const rows = [...document.querySelectorAll<HTMLElement>('[role=log] [data-index]')];
          const box = (e: HTMLElement) => e.getBoundingClientRect();
          const overlaps = rows.slice(1).filter((row, i) => box(row).top < box(rows[i]).bottom - 0.5).length;
          const log = document.querySelector<HTMLElement>('[role=log]')!;
          return { overlaps, clipped: log.scrollHeight > log.clientHeight && rows.length < 12 };
        }),
      )
      .toEqual({ overlaps: 0, clipped: false });
    await page.getByRole('searchbox', { name: 'Search the transcript' }).fill('order');
    await page.getByText(/^1 of \d+$/).waitFor();
    await page.keyboard.press('Enter');
    await page.getByText(/^2 of \d+$/).waitFor();
    expect(await page.locator('mark[data-current]').count()).toBe(1);
    await shot(page, 'control');
    await page.close();
  });

  it.each(['light', 'dark', 'high-contrast'])(
    'meets WCAG AA contrast and axe rules in the %s theme',
    async (theme) => {
      const page = await openCase(CASES.full, `?theme=${theme}`);
      await page.getByRole('searchbox').fill('order');
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, `control-${theme}`);
      await page.close();
    },
  );

  it('fits a phone screen without horizontal scrolling', async () => {
    const page = await openCase(CASES.full, '', { width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'control-phone');
    await page.close();
  });

  it('renders right to left in Arabic', async () => {
    const page = await openCase(CASES.rtl, '?lang=1025');
    expect(await page.locator('#control [dir="rtl"]').count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'control-arabic');
    await page.close();
  });

  it('loads the full transcript from the note when the description was shortened', async () => {
    const page = await openCase(CASES.long);
    await page.getByText(/this is the full transcript from the note/).waitFor();
    await page.getByRole('log', { name: /400 turns/ }).waitFor();
    // Far down the 400 turns: only search brings it into the (virtualised) log.
    await page.getByRole('searchbox').fill('parcel 1399');
    await page.locator('mark[data-current]').waitFor();
    expect(await page.locator('#control [data-role]').count()).toBeLessThan(80);
    await page.close();
  });

  it('links the caller whose stored number is in another format, and the sandbox holds the bind', async () => {
    const page = await openCase(CASES.link);
    await page.getByText('Not linked yet (placeholder customer "Unidentified caller")').waitFor();
    expect(await page.getByRole('textbox', { name: "Caller's phone number" }).inputValue()).toBe(
      '+1 415-555-0103',
    );
    await page.getByRole('button', { name: 'Find contact' }).click();
    await page.getByText('One contact has this number:').waitFor();
    await page.getByRole('button', { name: 'Link to this case' }).click();
    await page.getByText('Priya Raman is now the customer of this case.').waitFor();
    await shot(page, 'control-linked');
    const response = await fetch(
      `${sandbox.url}/api/data/v9.2/incidents(${CASES.link})?$select=_customerid_value`,
    );
    const incident = (await response.json()) as { _customerid_value: string };
    expect(incident._customerid_value).toBe(SEED_IDS.contacts.digits);
    // The search the click sent (opening each case has looked its caller up too).
    const search = sandbox.requests.findLast(
      (r) => r.method === 'GET' && r.path.endsWith('/contacts') && r.query.includes('telephone2'),
    );
    expect(decodeURIComponent(search?.query ?? '')).toContain("telephone2 eq '4155550103'");
    await page.close();
  });
});
