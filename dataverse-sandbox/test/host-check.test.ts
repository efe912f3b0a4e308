/** DNS rebinding protection: the sandbox answers only Host names that cannot be re-pointed at it. */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { allowsHost } from '../src/index.js';
import { sandbox } from './helpers.js';

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

describe('allowsHost', () => {
  it.each([
    ['127.0.0.1:8080', {}],
    ['localhost:3000', {}],
    ['LOCALHOST', {}],
    ['app.localhost:3000', {}],
    ['[::1]:8080', {}],
    ['192.168.1.20:8080', {}],
    ['sandbox:4000', { allowedHosts: ['sandbox'] }],
    ['devbox.internal', { boundHost: 'devbox.internal' }],
  ])('answers Host %j (%j)', (host, options) => {
    expect(allowsHost(host, options)).toBe(true);
  });

  it.each([
    ['attacker.example', {}],
    ['attacker.example:8080', {}],
    ['localhost.attacker.example', {}],
    ['127.0.0.1.nip.io', {}],
    ['attacker.example', { boundHost: '0.0.0.0' }],
    ['user@localhost', {}],
    ['[', {}],
    ['', {}],
  ])('refuses Host %j (%j)', (host, options) => {
    expect(allowsHost(host, options)).toBe(false);
  });
});

describe('the sandbox server', () => {
  it('answers 403 to a Host name it was not started with, and serves loopback names', async () => {
    const s = await sandbox();
    const whoAmI = `${s.url}/api/data/v9.2/WhoAmI`;
    const { port } = new URL(s.url);
    const rebound = await getWithHost(whoAmI, `attacker.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('DNS rebinding');
    expect((await getWithHost(whoAmI, `localhost:${port}`)).status).toBe(200);
    expect((await getWithHost(whoAmI, `127.0.0.1:${port}`)).status).toBe(200);
    // Refused before anything is read or recorded.
    expect(s.requests.map((r) => r.path).filter((p) => p.endsWith('WhoAmI'))).toHaveLength(2);
  });

  it('answers the names it is told to (allowedHosts)', async () => {
    const s = await sandbox({ allowedHosts: ['dataverse-sandbox'] });
    const { port } = new URL(s.url);
    expect((await getWithHost(`${s.url}/api/data/v9.2/WhoAmI`, `dataverse-sandbox:${port}`)).status).toBe(
      200,
    );
  });
});
