import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/index.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
});

export async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const started = await startSandbox({ clock: () => Date.parse('2026-11-24T14:05:09Z'), ...options });
  open.push(started);
  return started;
}

export const api = (s: Sandbox, path: string) => `${s.url}/api/data/v9.2/${path}`;

export async function post(s: Sandbox, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(api(s, path), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export async function errorOf(
  response: Response,
): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

/** Writes a `$batch` body with CRLF line endings: one change set of `operations`, then `gets` outside it. */
export function batchBody(
  operations: Array<{ method: string; url: string; body?: unknown; contentId?: string }>,
  gets: string[] = [],
): { body: string; contentType: string } {
  const batch = 'batch_test';
  const changeset = 'changeset_test';
  const lines: string[] = [`--${batch}`, `Content-Type: multipart/mixed; boundary="${changeset}"`, ''];
  operations.forEach((op, index) => {
    lines.push(
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      `Content-ID: ${op.contentId ?? String(index + 1)}`,
      '',
      `${op.method} ${op.url} HTTP/1.1`,
      'Content-Type: application/json; type=entry',
      '',
      op.body === undefined ? '' : JSON.stringify(op.body),
    );
  });
  lines.push(`--${changeset}--`);
  for (const get of gets) {
    lines.push(
      `--${batch}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `GET ${get} HTTP/1.1`,
      'Accept: application/json',
      '',
      '',
    );
  }
  lines.push(`--${batch}--`, '');
  return { body: lines.join('\r\n'), contentType: `multipart/mixed; boundary="${batch}"` };
}
