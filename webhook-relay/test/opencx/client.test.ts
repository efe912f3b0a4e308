import { describe, expect, it } from 'vitest';
import { createOpenCxClient, OpenCxError } from '../../src/opencx/client.js';

/** A client whose fetch records the URLs asked for and answers an empty session or history page. */
function client() {
  const asked: string[] = [];
  const fetch = (input: string) => {
    asked.push(input);
    return Promise.resolve(Response.json(input.includes('/history') ? { items: [] } : { id: 's' }));
  };
  const opencx = createOpenCxClient({
    apiUrl: 'https://api.open.cx/',
    apiKey: 'k',
    limiter: { take: () => Promise.resolve() },
    fetch: fetch as unknown as typeof globalThis.fetch,
  });
  return { opencx, asked };
}

describe('the OpenCX client and session ids (issue 29)', () => {
  it.each(['..', '.', '../admin', 'a/b', ''])(
    'never sends a request for the id %j: it could reach another path with the API key',
    async (id) => {
      const { opencx, asked } = client();
      await expect(opencx.getSession(id)).rejects.toBeInstanceOf(OpenCxError);
      await expect(opencx.getHistory(id)).rejects.toMatchObject({ kind: 'not-found', httpStatus: 0 });
      expect(asked).toEqual([]);
    },
  );

  it('asks for the session and its history under /chat/sessions/<id>', async () => {
    const { opencx, asked } = client();
    await opencx.getSession('ba2f757e-39b0-47ce-a8a2-c34b3b41819e');
    await opencx.getHistory('a.b:c');
    expect(asked).toEqual([
      'https://api.open.cx/chat/sessions/ba2f757e-39b0-47ce-a8a2-c34b3b41819e',
      'https://api.open.cx/chat/sessions/a.b%3Ac/history',
    ]);
  });
});
