import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { embeddedStore, NOW, tempDir } from '../helpers.js';

const handoff = (key: string, webhookId?: string) => ({
  key,
  kind: 'handoff' as const,
  sessionId: `session-${key}`,
  payload: '{"text":"héllo 👋"}',
  webhookId,
  now: NOW,
});

describe('the embedded store', () => {
  it('stores one record when the same key arrives many times in one group commit', async () => {
    const store = await embeddedStore();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.insert(handoff('k1'))));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(await store.list()).toHaveLength(1);
  });

  it('answers a replayed webhook id with the handoff it first stored', async () => {
    const store = await embeddedStore();
    await store.insert(handoff('k1', 'msg_1'));
    const replay = await store.insert(handoff('k2', 'msg_1'));
    expect(replay).toMatchObject({ inserted: false, record: { key: 'k1' } });
    expect((await store.findByWebhookId('msg_1'))?.key).toBe('k1');
  });

  it('keeps what it acknowledged after the file is closed and reopened', async () => {
    const file = path.join(tempDir(), 'relay.sqlite');
    const first = createEmbeddedStore({ file });
    await first.init();
    await Promise.all(['a', 'b', 'c'].map((key) => first.insert(handoff(key))));
    await first.close();
    const second = createEmbeddedStore({ file });
    await second.init();
    expect((await second.list()).map((r) => r.key).sort()).toEqual(['a', 'b', 'c']);
    await second.close();
  });

  it('lets one owner hold a record at a time, until the lease expires', async () => {
    const store = await embeddedStore();
    await store.insert(handoff('k1'));
    expect(await store.claim('w1', 10, NOW, 1000)).toHaveLength(1);
    expect(await store.claim('w2', 10, NOW + 999, 1000)).toHaveLength(0);
    expect(await store.update('k1', 'w2', { status: 'created' }, NOW)).toBe(false);
    expect(await store.claim('w2', 10, NOW + 1000, 1000)).toHaveLength(1);
    expect(await store.update('k1', 'w2', { status: 'created', ticketNumber: 'CAS-1' }, NOW)).toBe(true);
    expect(await store.countByStatus()).toMatchObject({ created: 1, received: 0 });
  });

  it('moves a shared pause only later', async () => {
    const store = await embeddedStore();
    await store.setPauseUntil('app-user', NOW + 5000);
    await store.setPauseUntil('app-user', NOW + 1000);
    expect(await store.getPauseUntil('app-user')).toBe(NOW + 5000);
  });
});
