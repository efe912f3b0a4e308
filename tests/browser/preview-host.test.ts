/** The preview server answers only Host names that cannot be re-pointed at it (DNS rebinding). */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { startPreview, type Preview } from '../../preview/src/server';

/** GET `url` with this Host header (fetch will not send another host's name). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { Host: host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

let sandbox: Sandbox;
let preview: Preview;
beforeAll(async () => {
  sandbox = await startSandbox();
  preview = await startPreview({ sandboxUrl: sandbox.url, allowedHosts: ['preview.test'] });
});
afterAll(async () => {
  await preview?.close();
  await sandbox?.close();
});

describe('the preview server', () => {
  it('answers 403 to a foreign Host, before proxying anything to the sandbox', async () => {
    const { port } = new URL(preview.url);
    const before = sandbox.requests.length;
    const page = await getWithHost(`${preview.url}/`, `attacker.example:${port}`);
    expect(page.status).toBe(403);
    const api = await getWithHost(`${preview.url}/api/data/v9.2/contacts`, `attacker.example:${port}`);
    expect(api.status).toBe(403);
    expect(api.body).toContain('DNS rebinding');
    expect(sandbox.requests.length).toBe(before);
  });

  it('serves loopback names and the names it is told to', async () => {
    const { port } = new URL(preview.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `preview.test:${port}`])
      expect((await getWithHost(`${preview.url}/blank`, host)).status).toBe(200);
  });
});
