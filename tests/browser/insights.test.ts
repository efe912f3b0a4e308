/**
 * The supervisor's pages in headless Chromium (issue 26): the sample handoffs as cases carrying the OpenCX
 * Insights columns, the OpenCX handoffs views drawn from the solution's saved queries, and the dashboard's
 * charts drawn from the solution's chart definitions. A sample handoff with negative sentiment appears in the
 * negative-sentiment view and is counted in its bar of the sentiment chart; axe finds nothing on either page.
 * Screenshots go to test-results/ (and, with UPDATE_DOC_IMAGES=1, docs/images/).
 *
 * The cases are written here with the columns the relay fills (webhook-relay/src/insights/columns.ts maps the
 * handoff's codes to option values); the relay's own create fills them the same way once it writes them.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, SEED_IDS, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { fit } from '@opencx-d365/transcript-format';
import type { HandoffDocument } from '../../webhook-relay/src/handoff/document';
import { titleOf } from '../../webhook-relay/src/delivery/plan';
import { transcriptOf } from '../../webhook-relay/src/delivery/transcript';
import {
  CALLER_VERIFICATION,
  CHANNEL,
  HANDOFF_REASON,
  INSIGHTS_COLUMNS,
  NEGATIVE_SENTIMENTS,
  optionFor,
  SENTIMENT_AT_HANDOFF,
} from '../../webhook-relay/src/insights/columns';
import { insightsSolution } from '../../dataverse-sandbox/src/solution-source';
import { startPreview, type Preview } from '../../preview/src/server';
import { launchChromium } from './chromium';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS = path.join(ROOT, 'test-results');
const EXAMPLES = path.join(ROOT, 'examples/handoffs');
/** The day after the sample handoffs (24–25 November 2026): all of them inside the per-day chart's window. */
const NOW = Date.parse('2026-11-25T12:00:00Z');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Sample {
  file: string;
  title: string;
  sentiment: string;
}

/** A sample handoff as the relay leaves it once it fills the insights columns. */
async function createHandoffCase(sandboxUrl: string, file: string): Promise<Sample> {
  const document = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as HandoffDocument;
  const transcript = transcriptOf(document, 'none');
  const handoffOn = new Date(document.handoff_at).toISOString();
  const first = document.messages?.[0]?.at;
  const body = {
    title: titleOf(document),
    description: fit(transcript, { maxLength: 2000, fullTextRef: 'note' }).text,
    'customerid_contact@odata.bind': `/contacts(${SEED_IDS.unidentifiedCaller})`,
    [INSIGHTS_COLUMNS.sessionId]: document.session_id,
    [INSIGHTS_COLUMNS.handoffOn]: handoffOn,
    [INSIGHTS_COLUMNS.handoffReason]: optionFor(HANDOFF_REASON, document.reason),
    [INSIGHTS_COLUMNS.sentimentAtHandoff]: optionFor(SENTIMENT_AT_HANDOFF, document.sentiment),
    [INSIGHTS_COLUMNS.channel]: optionFor(CHANNEL, document.channel ?? 'phone_voice'),
    [INSIGHTS_COLUMNS.callerVerification]: optionFor(CALLER_VERIFICATION, 'none'),
    [INSIGHTS_COLUMNS.turnsBeforeHandoff]: document.messages?.length ?? 0,
    [INSIGHTS_COLUMNS.aiHandlingSeconds]: first
      ? Math.max(0, Math.round((Date.parse(handoffOn) - Date.parse(first)) / 1000))
      : undefined,
  };
  const response = await fetch(`${sandboxUrl}/api/data/v9.2/incidents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${file}: ${response.status} ${await response.text()}`);
  return { file, title: body.title, sentiment: String(document.sentiment ?? '') };
}

let sandbox: Sandbox;
let preview: Preview;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let samples: Sample[];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  sandbox = await startSandbox({ port: 0, org: { insights: true }, clock: () => NOW });
  samples = [];
  for (const file of readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort())
    samples.push(await createHandoffCase(sandbox.url, file));
  preview = await startPreview({ sandboxUrl: sandbox.url, clock: () => NOW });
  ({ browser, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
  await preview?.close();
  await sandbox?.close();
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  expect(errors).toEqual([]);
  return page;
}

/** axe's violations on the whole page (id: targets), empty when there are none. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (el: Document) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function shot(page: Page, name: string) {
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_DOC_IMAGES === '1') {
    mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
    copyFileSync(file, path.join(ROOT, 'docs/images', `${name}.png`));
  }
}

const negative = () =>
  samples.filter((s) => (NEGATIVE_SENTIMENTS as readonly string[]).includes(s.sentiment));
const viewName = (id: number) => insightsSolution().views[id].name[1033];

describe('the OpenCX handoffs views (the case list), from the solution’s saved queries', () => {
  it('lists every sample handoff, newest first, with the layout’s columns; axe finds nothing', async () => {
    const page = await open(`${preview.url}/`);
    const grid = page.getByRole('table', { name: viewName(0) });
    const headers = await grid.getByRole('columnheader').allTextContents();
    expect(headers).toEqual([
      'Case Title',
      'Handoff time',
      'Handoff reason',
      'Sentiment at handoff',
      'Caller verification',
      'Case Number',
    ]);
    const rows = grid.getByRole('row');
    expect(await rows.count()).toBe(samples.length + 1);
    // The newest handoff (25 November, 00:41 UTC) first.
    expect(await rows.nth(1).textContent()).toContain('2026-11-25 00:41 UTC');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'insights-view');
    await page.close();
  });

  it('a sample handoff with negative sentiment is in "OpenCX handoffs with negative sentiment", and only those are', async () => {
    const page = await open(`${preview.url}/`);
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: viewName(1) })
      .click();
    const grid = page.getByRole('table', { name: viewName(1) });
    const titles = await grid.getByRole('row').locator('td:first-child').allTextContents();
    expect(negative().length).toBeGreaterThan(0);
    expect(titles.sort()).toEqual(
      negative()
        .map((s) => s.title)
        .sort(),
    );
    const angry = samples.find((s) => s.file === 'human-takeover.json')!;
    expect(angry.sentiment).toBe('angry');
    await grid.getByRole('link', { name: angry.title }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('the OpenCX handoffs dashboard, from the solution’s chart definitions', () => {
  it('counts the negative sample handoffs in their bars of the sentiment chart; the charts read as tables too', async () => {
    const page = await open(`${preview.url}/dashboard`);
    const bySentiment = page.getByRole('figure', { name: 'OpenCX handoffs by sentiment' });
    const counts = Object.fromEntries(
      await bySentiment
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader') })
        .evaluateAll((rows) =>
          rows.map((row) => [
            row.querySelector('th')!.textContent,
            Number(row.querySelector('td')!.textContent),
          ]),
        ),
    ) as Record<string, number>;
    const angry = samples.filter((s) => s.sentiment === 'angry').length;
    expect(counts.Angry).toBe(angry);
    expect(counts.Frustrated).toBe(samples.filter((s) => s.sentiment === 'frustrated').length);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(samples.length);
    // The drawing says the same as the table: the Angry bar's tooltip.
    expect(await bySentiment.locator('svg title', { hasText: `Angry: ${angry}` }).count()).toBe(1);
    expect(await bySentiment.locator('svg').getAttribute('data-chart-type')).toBe('Column');

    const perDay = page.getByRole('figure', { name: 'OpenCX handoffs per day' });
    const days = await perDay.getByRole('rowheader').allTextContents();
    expect(days).toEqual(['Nov 23', 'Nov 24', 'Nov 25']);
    const byReason = page.getByRole('figure', { name: 'OpenCX handoffs by reason' });
    expect(await byReason.locator('svg').getAttribute('data-chart-type')).toBe('Bar');
    expect(await byReason.getByRole('rowheader', { name: 'Agent took over' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'insights-dashboard');

    // The dashboard's list offers both views; the negative one holds the angry caller.
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: viewName(1) })
      .click();
    const grid = page.getByRole('table', { name: viewName(1) });
    expect(await grid.getByRole('row').count()).toBe(negative().length + 1);
    await page.close();
  });
});

describe('the preview in an org without OpenCX Insights', () => {
  it('lists every case plainly and says the insights are not imported (no OpenCX view to run)', async () => {
    const plain = await startSandbox({ port: 0, clock: () => NOW });
    const page = await startPreview({ sandboxUrl: plain.url, clock: () => NOW });
    try {
      const response = await fetch(`${plain.url}/api/data/v9.2/incidents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          title: 'A case from before',
          'customerid_contact@odata.bind': `/contacts(${SEED_IDS.unidentifiedCaller})`,
        }),
      });
      expect(response.status).toBe(204);
      const html = await (await fetch(`${page.url}/`)).text();
      expect(html).toContain('The OpenCX Insights solution is not imported in this org');
      expect(html).toContain('A case from before');
    } finally {
      await page.close();
      await plain.close();
    }
  });
});
