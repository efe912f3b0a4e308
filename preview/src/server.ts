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
    if (p === '/') {
      const page = await sandboxJson<{ value: CaseRow[] }>(
        sandbox,
        'incidents?$select=incidentid,title,ticketnumber,createdon&$orderby=createdon desc&$top=200',
      );
      return send(res, 200, 'text/html; charset=utf-8', caseListPage(page.value));
    }
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
