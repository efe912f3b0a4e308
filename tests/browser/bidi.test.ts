/**
 * Bidi safety as a rep sees it, in Chromium with the production bundle (once per platform combination):
 * a caller's text with U+202E or U+2067…U+2069 reads in the order it was stored, Hebrew with digits and
 * Arabic still read right to left, and the screen, the copy and the download give the same text. Each
 * character's position on screen is measured, so a reordering shows as a position out of order.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Transcript } from '@opencx-d365/transcript-format';
import { startSandbox, SEED_IDS, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { isPlatformId } from '../../preview/src/platforms';
import { startPreview, type Preview } from '../../preview/src/server';
import { transcript } from '../control/fixtures';
import { createCase } from './cases';
import { launchChromium } from './chromium';

const PLATFORM = process.env.OPENCX_PLATFORM ?? 'declared';
if (!isPlatformId(PLATFORM)) throw new Error(`OPENCX_PLATFORM=${PLATFORM} is not a known combination`);

const RLO = '\u202E';
const RLI = '\u2067';
const PDI = '\u2069';
const TURNS = {
  override: `Please open invoice${RLO}gnp.exe before paying`,
  isolate: `Send it to ${RLI}account 1234 abc${PDI} today`,
  hebrew: 'ההזמנה 4417 נשלחה',
};
const CASES = { bidi: '55555555-5555-4555-8555-555555555555', rtl: '66666666-6666-4666-8666-666666666666' };

let sandbox: Sandbox;
let preview: Preview;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let context: BrowserContext;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const call: Transcript = transcript('phone-no-email');
  call.header.customer = { name: `Priya ${RLO}Raman`, phone: '+1 415-555-0103' };
  const at = call.turns[0].at;
  call.turns = [
    { at, role: 'contact', text: TURNS.override },
    { at, role: 'ai', text: TURNS.isolate },
    { at, role: 'contact', name: `Ro${RLO}sa`, text: TURNS.hebrew },
  ];
  const customerId = SEED_IDS.unidentifiedCaller;
  await createCase(sandbox.url, { id: CASES.bidi, title: 'Bidi', transcript: call, customerId });
  await createCase(sandbox.url, {
    id: CASES.rtl,
    title: 'RTL',
    transcript: transcript('unicode-rtl'),
    customerId,
  });
  preview = await startPreview({ sandboxUrl: sandbox.url, defaultCountry: 'US', platform: PLATFORM });
  ({ browser, close: closeBrowser } = await launchChromium());
  context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
    acceptDownloads: true,
  });
});

afterAll(async () => {
  await context?.close();
  await closeBrowser?.();
  await preview?.close();
  await sandbox?.close();
});

async function openCase(id: string, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${preview.url}/case/${id}${query}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByRole('log').waitFor();
  return page;
}

interface Glyph {
  ch: string;
  x: number;
}

/** Each character of an element's text with the horizontal centre of its box, in stored order. */
function glyphs(element: Locator): Promise<Glyph[]> {
  return element.evaluate((root) => {
    const out: { ch: string; x: number }[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      for (let i = 0; i < node.data.length;) {
        const size = node.data.codePointAt(i)! > 0xffff ? 2 : 1;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + size);
        const box = range.getBoundingClientRect();
        out.push({ ch: node.data.slice(i, i + size), x: box.left + box.width / 2 });
        i += size;
      }
    }
    return out;
  });
}

/** True when every glyph is drawn to the right of the one stored before it. */
const leftToRight = (list: Glyph[]) => list.every((g, i) => i === 0 || g.x > list[i - 1].x);
const rightToLeft = (list: Glyph[]) => list.every((g, i) => i === 0 || g.x < list[i - 1].x);

const turnText = (page: Page, i: number) => page.locator('#control [data-role] span[dir="auto"]').nth(i);

describe('bidi safety in Chromium', () => {
  it('reads a turn with U+202E, and one with U+2067…U+2069, in the order it was stored', async () => {
    const page = await openCase(CASES.bidi);
    const override = turnText(page, 0);
    expect(await override.textContent()).toBe('Please open invoice⟦U+202E⟧gnp.exe before paying');
    expect(leftToRight(await glyphs(override))).toBe(true);
    const isolate = turnText(page, 1);
    expect(await isolate.textContent()).toBe('Send it to ⟦U+2067⟧account 1234 abc⟦U+2069⟧ today');
    expect(leftToRight(await glyphs(isolate))).toBe(true);

    // The measurement sees a reordering: the same text with its controls left in does not read in order.
    await page.evaluate((text) => {
      const span = document.createElement('span');
      span.id = 'raw-turn';
      span.textContent = text;
      document.getElementById('control')!.appendChild(span);
    }, TURNS.override);
    expect(leftToRight(await glyphs(page.locator('#raw-turn')))).toBe(false);

    // The speaker's name and header values are shown with markers too, and isolated.
    expect(await page.locator('#control [data-role] bdi').first().textContent()).toBe('Ro⟦U+202E⟧sa');
    expect(await page.getByRole('definition').filter({ hasText: 'Priya' }).textContent()).toBe(
      'Priya ⟦U+202E⟧Raman',
    );
    await page.close();
  });

  it('still reads Hebrew with digits right to left, the number left to right', async () => {
    const page = await openCase(CASES.bidi);
    const list = await glyphs(turnText(page, 2));
    const letters = list.filter((g) => /\p{Script=Hebrew}/u.test(g.ch));
    const digits = list.filter((g) => /\d/.test(g.ch));
    expect(letters).toHaveLength(11);
    expect(rightToLeft(letters)).toBe(true);
    expect(digits.map((g) => g.ch).join('')).toBe('4417');
    expect(leftToRight(digits)).toBe(true);
    // The number sits between the two words: left of the first, right of the last.
    expect(digits[0].x).toBeLessThan(letters[5].x);
    expect(digits[3].x).toBeGreaterThan(letters[6].x);
    await page.close();
  });

  it('still reads Arabic right to left in the Arabic UI, Arabic-Indic digits left to right', async () => {
    const page = await openCase(CASES.rtl, '?lang=1025');
    const list = await glyphs(turnText(page, 1));
    const letters = list.filter((g) => /\p{Script=Arabic}/u.test(g.ch) && !/[\u0660-\u0669]/.test(g.ch));
    const digits = list.filter((g) => /[\u0660-\u0669]/.test(g.ch));
    expect(letters.length).toBeGreaterThan(10);
    expect(rightToLeft(letters)).toBe(true);
    expect(digits.map((g) => g.ch).join('')).toBe('٤٥٦');
    expect(leftToRight(digits)).toBe(true);
    // The caller's (British) number, international for a rep in Saudi Arabia, keeps its groups in order.
    const phone = page.getByRole('definition').filter({ hasText: '7946' });
    expect(await phone.textContent()).toBe('+44 20 7946 0321');
    expect(leftToRight(await glyphs(phone))).toBe(true);
    await page.close();
  });

  it('copies and downloads the same text the screen shows', async () => {
    const page = await openCase(CASES.bidi);
    const screen = await Promise.all(
      [0, 1, 2].map(async (i) => (await turnText(page, i).textContent()) ?? ''),
    );
    await page.getByRole('button', { name: 'Copy all' }).click();
    await page.getByText('Copied').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download' }).click(),
    ]);
    const downloaded = readFileSync(await download.path(), 'utf8');
    expect(downloaded).toBe(copied);
    for (const text of screen) expect(copied).toContain(text);
    expect(copied).toContain('invoice⟦U+202E⟧gnp.exe');
    expect(copied).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    // The raw phone stays in what is copied; the screen formats it for the rep.
    expect(copied).toContain('+1 415-555-0103');
    expect(await page.getByRole('definition').filter({ hasText: '555' }).textContent()).toBe(
      '(415) 555-0103',
    );
    await page.close();
  });
});
