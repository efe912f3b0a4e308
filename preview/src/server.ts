/**
 * The preview server: the case list, a case page hosting the production control bundle, and a
 * same-origin proxy to the Dataverse sandbox's Web API (so the page needs no CORS). For the demo,
 * the browser tests and the control benchmark; never for production.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import {
  chartOverView,
  chartShape,
  columnHeader,
  dashboardParts,
  dayInWindow,
  gridLayout,
  label,
  viewById,
  views,
  type ChartShape,
  type DashboardPart,
} from './insights.js';
import {
  chart,
  dashboardPage,
  handoffsPage,
  notInstalledNote,
  type ChartPoint,
  type GridModel,
  type Row,
  type ViewLink,
} from './insights-pages.js';
// From the sandbox's source, not its package: `npm start` runs the preview before anything is built.
import { refuseForeignHost } from '../../dataverse-sandbox/src/host-check.js';
import { blankPage, caseListPage, casePage, type CaseRow } from './pages.js';
import { bundleAliases, platform, type Platform, type PlatformId } from './platforms.js';
import { readResx } from './resx.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface PreviewOptions {
  /** The Dataverse sandbox's environment URL (the Web API is at `<url>/api/data/v9.2/`). */
  sandboxUrl: string;
  port?: number;
  host?: string;
  /** Where the built control is (default: out/controls/OpenCXTranscriptControl). */
  controlDir?: string;
  placeholderCustomerId?: string;
  defaultCountry?: string;
  /** Which React and Fluent the host gives the bundle (default: the versions the manifest declares). */
  platform?: PlatformId;
  /** The clock a chart's "last X days" is read against (the sandbox's, in tests that fix it). */
  clock?: () => number;
  /** Host names answered besides IP literals, localhost and `host` (DNS rebinding protection); others get 403. */
  allowedHosts?: readonly string[];
}

export interface Preview {
  url: string;
  /** The React and Fluent the page runs the control with. */
  platform: Platform;
  close(): Promise<void>;
}

async function buildHost(p: Platform): Promise<string> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'preview/host/pcf-host.ts')],
    absWorkingDir: ROOT,
    alias: bundleAliases(p),
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    target: 'chrome110',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

async function sandboxJson<T>(sandboxUrl: string, pathAndQuery: string): Promise<T> {
  const response = await fetch(`${sandboxUrl}/api/data/v9.2/${pathAndQuery}`, {
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`sandbox answered ${response.status} to ${pathAndQuery}`);
  return (await response.json()) as T;
}

/** The sandbox's error code, when it refused a query (to tell "insights not imported" from other failures). */
class SandboxRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`sandbox answered ${status} ${code}`);
  }
}

/**
 * A FetchXML query as the model-driven app's grids and charts send it: `GET <set>?fetchXml=…` with the
 * formatted values (Learn, "Use FetchXml to retrieve data", Web API; "Select columns using FetchXml",
 * Formatted values).
 */
async function sandboxFetchXml(sandboxUrl: string, entitySet: string, fetchXml: string): Promise<Row[]> {
  // Sent compact, as the app sends it: the solution's indentation between elements is not part of the query.
  const compact = fetchXml.replace(/>\s+</g, '><').trim();
  const response = await fetch(
    `${sandboxUrl}/api/data/v9.2/${entitySet}?fetchXml=${encodeURIComponent(compact)}`,
    {
      headers: {
        Accept: 'application/json',
        Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
      },
    },
  );
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    throw new SandboxRefusal(response.status, body.error?.code ?? '');
  }
  return ((await response.json()) as { value: Row[] }).value;
}

/** "Insights not imported": the org has no such columns (QueryBuilderNoAttribute). */
const notImported = (error: unknown) => error instanceof SandboxRefusal && error.code === '0x80041103';

/** Cases the OpenCX views leave out: no OpenCX session (the preview's own query, not a solution view). */
const WITHOUT_HANDOFF_DATA =
  '<fetch top="200"><entity name="incident"><attribute name="title" /><order attribute="createdon" descending="true" />' +
  '<filter><condition attribute="opencx_sessionid" operator="null" /></filter></entity></fetch>';

function pickerLinks(
  base: string,
  choices: ReadonlyArray<{ id: string; name: Record<number, string> }>,
  current: string,
): ViewLink[] {
  return choices.map((v) => ({
    name: label(v.name),
    href: `${base}?view=${v.id}`,
    current: v.id === current,
  }));
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const controlDir = options.controlDir ?? path.join(ROOT, 'out/controls/OpenCXTranscriptControl');
  if (!existsSync(path.join(controlDir, 'bundle.js')))
    throw new Error(`No built control in ${controlDir}: run \`npm run build\` first.`);
  const hostPlatform = platform(options.platform ?? 'declared');
  const hostScript = await buildHost(hostPlatform);
  const sandbox = options.sandboxUrl.replace(/\/$/, '');

  const server = http.createServer((req, res) => {
    if (refuseForeignHost(req, res, { boundHost: options.host, allowedHosts: options.allowedHosts })) return;
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 502, 'text/plain; charset=utf-8', `Preview error: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://preview');
    const p = url.pathname;
    if (p.startsWith('/api/data/')) return proxy(req, res, `${sandbox}${p}${url.search}`);
    if (p === '/') return send(res, 200, 'text/html; charset=utf-8', await homePage(url));
    if (p === '/dashboard') return send(res, 200, 'text/html; charset=utf-8', await supervisorPage(url));
    if (/^\/case\/[0-9a-f-]{36}$/i.test(p)) return send(res, 200, 'text/html; charset=utf-8', casePage());
    if (p === '/blank') return send(res, 200, 'text/html; charset=utf-8', blankPage());
    // A model-driven app's record address (main.aspx?pagetype=entityrecord&etn=incident&id=…), which the
    // control's case links fall back to: the preview's case page.
    const recordId = url.searchParams.get('id');
    if (p === '/main.aspx' && url.searchParams.get('etn') === 'incident' && recordId) {
      res.writeHead(302, { Location: `/case/${encodeURIComponent(recordId)}` });
      return res.end();
    }
    if (p === '/build/host.js') return send(res, 200, 'text/javascript; charset=utf-8', hostScript);
    const kase = /^\/preview\/case\/([0-9a-f-]{36})\.json$/i.exec(p);
    if (kase) {
      const row = await sandboxJson<CaseRow & { description?: string }>(
        sandbox,
        `incidents(${kase[1]})?$select=incidentid,title,ticketnumber,description`,
      );
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({
          incidentId: row.incidentid,
          title: row.title ?? '',
          ticketNumber: row.ticketnumber,
          description: row.description ?? '',
          placeholderCustomerId: options.placeholderCustomerId,
          defaultCountry: options.defaultCountry,
        }),
      );
    }
    const strings = /^\/preview\/strings\/(\d+)\.json$/.exec(p);
    if (strings) {
      const file = path.join(controlDir, `strings/OpenCXTranscriptControl.${strings[1]}.resx`);
      const fallback = path.join(controlDir, 'strings/OpenCXTranscriptControl.1033.resx');
      return send(res, 200, 'application/json', JSON.stringify(readResx(existsSync(file) ? file : fallback)));
    }
    const asset = /^\/control\/([\w.-]+\.(?:js|css))$/.exec(p);
    if (asset && existsSync(path.join(controlDir, asset[1])))
      return send(res, 200, 'text/javascript; charset=utf-8', readFileSync(path.join(controlDir, asset[1])));
    send(res, 404, 'text/plain; charset=utf-8', 'Not found');
  }

  /** The case list: the solution's "OpenCX handoffs" views, as a model-driven app's grid shows them. */
  async function homePage(url: URL): Promise<string> {
    const view = viewById(url.searchParams.get('view')) ?? views()[0];
    try {
      const model = await gridModel(view.id, label(view.name));
      const without = await sandboxFetchXml(sandbox, 'incidents', WITHOUT_HANDOFF_DATA);
      return handoffsPage({
        viewName: label(view.name),
        viewDescription: label(view.description),
        picker: pickerLinks('/', views(), view.id),
        grid: model,
        without: without.map((r) => ({ incidentid: String(r.incidentid), title: r.title as string })),
      });
    } catch (error) {
      if (!notImported(error)) throw error;
      const page = await sandboxJson<{ value: CaseRow[] }>(
        sandbox,
        'incidents?$select=incidentid,title,ticketnumber,createdon&$orderby=createdon desc&$top=200',
      );
      return caseListPage(page.value).replace('<h1>Cases</h1>', `<h1>Cases</h1>${notInstalledNote()}`);
    }
  }

  async function gridModel(viewId: string, caption: string): Promise<GridModel> {
    const view = viewById(viewId)!;
    const layout = gridLayout(view);
    return {
      caption,
      layout,
      headers: Object.fromEntries(layout.columns.map((c) => [c.name, columnHeader(c.name)])),
      rows: await sandboxFetchXml(sandbox, 'incidents', view.fetchXml),
      primaryKey: 'incidentid',
    };
  }

  /** The "OpenCX handoffs" dashboard: its charts over their views, and its grid with the view picker. */
  async function supervisorPage(url: URL): Promise<string> {
    const dashboard = dashboardParts();
    const charts = await Promise.all(
      dashboard.parts
        .filter((part) => part.kind === 'chart')
        .map(async (part, index) => {
          const shape = chartShape(part.chart!);
          const rows = await sandboxFetchXml(sandbox, 'incidents', chartOverView(part.chart!, part.view));
          return chart(`chart-${index + 1}`, label(part.chart!.name), shape, chartPoints(shape, rows));
        }),
    );
    const gridPart: DashboardPart | undefined = dashboard.parts.find((part) => part.kind === 'grid');
    if (!gridPart) throw new Error('The dashboard has no grid.');
    const chosen = gridPart.views.find((v) => v.id === viewById(url.searchParams.get('view'))?.id);
    const view = chosen ?? gridPart.view;
    return dashboardPage({
      name: dashboard.name,
      description: dashboard.description,
      charts,
      gridTitle: gridPart.label,
      picker: pickerLinks('/dashboard', gridPart.views, view.id),
      grid: await gridModel(view.id, label(view.name)),
    });
  }

  /** A chart's bars from its aggregate rows: category labels as the app shows them. */
  function chartPoints(shape: ChartShape, rows: Row[]): ChartPoint[] {
    const now = new Date((options.clock ?? Date.now)());
    const points = rows.map((row) => {
      const value = Number(row[shape.measure] ?? 0);
      const raw = row[shape.category];
      if (typeof raw !== 'number' && typeof raw !== 'string') return { label: '(blank)', value, at: 0 };
      if (shape.dateGrouping === 'day' && shape.lastDays !== undefined) {
        const date = dayInWindow(Number(raw), now, shape.lastDays);
        const text = date
          ? date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })
          : String(raw);
        return { label: text, value, at: date?.getTime() ?? 0 };
      }
      const formatted = row[`${shape.category}@OData.Community.Display.V1.FormattedValue`];
      return { label: typeof formatted === 'string' ? formatted : String(raw), value, at: 0 };
    });
    // Days read left to right in calendar order (the query orders them by day of the month).
    if (shape.dateGrouping === 'day') points.sort((a, b) => a.at - b.at);
    return points.map(({ label: text, value }) => ({ label: text, value }));
  }

  async function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: string) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'prefer', 'odata-version', 'odata-maxversion', 'if-match'])
      if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    const upstream = await fetch(target, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
        out[name] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    platform: hostPlatform,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
