/**
 * The store contract (src/store/types.ts), as one suite that runs against every store: embedded.test.ts
 * and postgres.test.ts call `storeContract` with a way to open their store. Anything the delivery worker or
 * intake relies on is pinned here, so the two stores cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import type { PayloadVault } from '../../src/store/payload-vault.js';
import type { HandoffStore, NewHandoff } from '../../src/store/types.js';
import { NOW } from '../helpers.js';
import { dataAtRestContract } from './data-at-rest.js';
import { sealingVault } from './vaults.js';

/** Makes the vault of one store instance (each instance has its own, as each relay process does). */
export type VaultFactory = () => PayloadVault;

export interface StoreFixture {
  /** A store on fresh, empty storage, already initialised. */
  store: HandoffStore;
  /** Another instance (its own connections) on the same storage: a second relay process; by default with the fixture's vault. */
  another(vault?: VaultFactory): Promise<HandoffStore>;
  /** Closes `store` and opens the same storage again; by default with the fixture's vault. */
  reopen(vault?: VaultFactory): Promise<HandoffStore>;
  /** Everything someone holding the storage could read: every file's bytes (embedded), every row (PostgreSQL). */
  raw(): Promise<Buffer>;
}

/** Opens fresh storage with stores whose vaults `vault` makes (default: plain text). */
export type OpenFixture = (vault?: VaultFactory) => Promise<StoreFixture>;

export const handoff = (key: string, options: Partial<NewHandoff> = {}): NewHandoff => ({
  key,
  kind: 'handoff',
  sessionId: `session-${key}`,
  payload: '{"text":"héllo 👋 \\u0000 \\\\ \'quote\' \\"double\\""}',
  now: NOW,
  ...options,
});

/**
 * The contract, run once with plain-text payloads and once with every payload sealed (`sealed`): the vault
 * must be invisible to everything the relay relies on. The data-at-rest part runs with the plain run.
 */
export function storeContract(
  name: string,
  openFixture: OpenFixture,
  options: { sealed?: boolean } = {},
): void {
  const open = () => openFixture(options.sealed ? () => sealingVault(['a']) : undefined);
  describe(`the ${name} store (contract${options.sealed ? ', payloads sealed' : ''})`, () => {
    describe('insert', () => {
      it('stores a new handoff as received, due now, with its payload byte for byte', async () => {
        const { store } = await open();
        const sessionId = 'sess\u0000ion \u05e9\u05dc\u05d5\u05dd \u{1F600}';
        const result = await store.insert(handoff('k1', { sessionId, webhookId: 'msg_1' }));
        expect(result).toEqual({
          inserted: true,
          record: {
            key: 'k1',
            kind: 'handoff',
            sessionId,
            payload: handoff('k1').payload,
            status: 'received',
            attempts: 0,
            nextAttemptAt: NOW,
            receivedAt: NOW,
            updatedAt: NOW,
          },
        });
        expect(await store.get('k1')).toEqual(result.record);
        expect(await store.get('unknown')).toBeUndefined();
      });

      it('stores one record when the same key arrives many times at once', async () => {
        const { store } = await open();
        const results = await Promise.all(Array.from({ length: 20 }, () => store.insert(handoff('k1'))));
        expect(results.filter((r) => r.inserted)).toHaveLength(1);
        expect(results.every((r) => r.record.key === 'k1')).toBe(true);
        expect(await store.list()).toHaveLength(1);
      });

      it('stores one record when two instances receive the same key at once', async () => {
        const { store, another } = await open();
        const second = await another();
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => (i % 2 ? store : second).insert(handoff(`k${i % 5}`))),
        );
        expect(results.filter((r) => r.inserted)).toHaveLength(5);
        expect((await store.list()).map((r) => r.key).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
      });

      it('answers a replayed webhook id with the handoff it first stored', async () => {
        const { store } = await open();
        await store.insert(handoff('k1', { webhookId: 'msg_1' }));
        const replay = await store.insert(handoff('k2', { webhookId: 'msg_1' }));
        expect(replay).toMatchObject({ inserted: false, record: { key: 'k1' } });
        expect(await store.get('k2')).toBeUndefined();
        expect((await store.findByWebhookId('msg_1'))?.key).toBe('k1');
        expect(await store.findByWebhookId('msg_unknown')).toBeUndefined();
      });

      it('remembers the new webhook id of a duplicate delivery of a known key', async () => {
        const { store } = await open();
        await store.insert(handoff('k1', { webhookId: 'msg_1' }));
        const again = await store.insert(handoff('k1', { webhookId: 'msg_2', now: NOW + 5 }));
        expect(again).toMatchObject({ inserted: false, record: { key: 'k1', receivedAt: NOW } });
        expect((await store.findByWebhookId('msg_2'))?.key).toBe('k1');
      });

      it('keeps what it acknowledged when closed and opened again', async () => {
        const fixture = await open();
        await Promise.all(['a', 'b', 'c'].map((key) => fixture.store.insert(handoff(key))));
        const reopened = await fixture.reopen();
        expect((await reopened.list()).map((r) => r.key).sort()).toEqual(['a', 'b', 'c']);
      });
    });

    describe('list and count', () => {
      it('lists newest first, ties broken by key bytewise, with status filter, limit and keyset pages', async () => {
        const { store } = await open();
        // Same receivedAt: the key decides, compared as bytes ('-' < 'B' < 'a' < 'b'), as SQLite does.
        for (const key of ['b', '-x', 'a', 'B']) await store.insert(handoff(key, { now: NOW }));
        await store.insert(handoff('newest', { now: NOW + 10 }));
        await store.insert(handoff('oldest', { now: NOW - 10 }));
        const all = (await store.list()).map((r) => r.key);
        expect(all).toEqual(['newest', 'b', 'a', 'B', '-x', 'oldest']);
        expect((await store.list({ limit: 2 })).map((r) => r.key)).toEqual(['newest', 'b']);
        const page2 = await store.list({ limit: 3, before: { receivedAt: NOW, key: 'b' } });
        expect(page2.map((r) => r.key)).toEqual(['a', 'B', '-x']);
        const page3 = await store.list({ before: { receivedAt: NOW, key: '-x' } });
        expect(page3.map((r) => r.key)).toEqual(['oldest']);

        const [claimed] = await store.claim('w1', 1, NOW + 100, 1000);
        await store.update(claimed.key, 'w1', { status: 'created' }, NOW + 100);
        expect((await store.list({ status: 'created' })).map((r) => r.key)).toEqual([claimed.key]);
        expect(await store.list({ status: 'failed' })).toEqual([]);
      });

      it('counts every status, zero included', async () => {
        const { store } = await open();
        expect(await store.countByStatus()).toEqual({
          received: 0,
          fetching: 0,
          delivering: 0,
          created: 0,
          duplicate: 0,
          failed: 0,
          skipped: 0,
        });
        await store.insert(handoff('k1'));
        await store.insert(handoff('k2'));
        await store.claim('w1', 1, NOW, 1000);
        await store.update('k1', 'w1', { status: 'failed' }, NOW);
        expect(await store.countByStatus()).toMatchObject({ received: 1, failed: 1, created: 0 });
      });
    });

    describe('claims and leases', () => {
      it('claims due, active records, oldest first, up to the limit, and leases them', async () => {
        const { store } = await open();
        await store.insert(handoff('late', { now: NOW + 50 }));
        await store.insert(handoff('first', { now: NOW }));
        await store.insert(handoff('second', { now: NOW + 1 }));
        await store.insert(handoff('future', { now: NOW + 5000 }));
        const claimed = await store.claim('w1', 2, NOW + 100, 1000);
        expect(claimed.map((r) => [r.key, r.leaseOwner, r.leaseUntil])).toEqual([
          ['first', 'w1', NOW + 1100],
          ['second', 'w1', NOW + 1100],
        ]);
        expect(await store.get('first')).toMatchObject({ leaseOwner: 'w1', leaseUntil: NOW + 1100 });
        expect((await store.claim('w1', 10, NOW + 100, 1000)).map((r) => r.key)).toEqual(['late']);
        expect(await store.claim('w2', 10, NOW + 100, 1000)).toEqual([]); // 'future' is not due
      });

      it('orders by next attempt before receipt, and never claims finished records', async () => {
        const { store } = await open();
        await store.insert(handoff('a', { now: NOW }));
        await store.insert(handoff('b', { now: NOW + 1 }));
        await store.insert(handoff('c', { now: NOW + 2 }));
        await store.claim('w1', 3, NOW + 10, 1000);
        await store.update('a', 'w1', { nextAttemptAt: NOW + 30, releaseLease: true }, NOW + 10);
        await store.update('b', 'w1', { status: 'created' }, NOW + 10);
        await store.update('c', 'w1', { nextAttemptAt: NOW + 20, releaseLease: true }, NOW + 10);
        expect((await store.claim('w2', 10, NOW + 40, 1000)).map((r) => r.key)).toEqual(['c', 'a']);
      });

      it('lets one owner hold a record at a time, until the lease expires', async () => {
        const { store } = await open();
        await store.insert(handoff('k1'));
        expect(await store.claim('w1', 10, NOW, 1000)).toHaveLength(1);
        expect(await store.claim('w2', 10, NOW + 999, 1000)).toHaveLength(0);
        expect(await store.update('k1', 'w2', { status: 'created' }, NOW)).toBe(false);
        expect(await store.claim('w2', 10, NOW + 1000, 1000)).toHaveLength(1);
        expect(await store.update('k1', 'w1', { status: 'created' }, NOW + 1001)).toBe(false); // lost it
        expect(await store.update('k1', 'w2', { status: 'created', ticketNumber: 'CAS-1' }, NOW)).toBe(true);
        expect(await store.countByStatus()).toMatchObject({ created: 1, received: 0 });
      });

      it("reclaims a killed instance's work once its leases expire, from another instance", async () => {
        const { store, another } = await open();
        for (const key of ['k1', 'k2', 'k3']) await store.insert(handoff(key));
        const doomed = await another();
        expect(await doomed.claim('killed', 10, NOW, 2000)).toHaveLength(3);
        await doomed.update('k1', 'killed', { status: 'delivering' }, NOW);
        await doomed.close(); // no releaseAll: the process died
        expect(await store.claim('survivor', 10, NOW + 1999, 2000)).toEqual([]);
        const reclaimed = await store.claim('survivor', 10, NOW + 2000, 2000);
        expect(reclaimed.map((r) => [r.key, r.status, r.leaseOwner]).sort()).toEqual([
          ['k1', 'delivering', 'survivor'],
          ['k2', 'received', 'survivor'],
          ['k3', 'received', 'survivor'],
        ]);
      });

      it('never hands one record to two instances claiming at the same time', async () => {
        const { store, another } = await open();
        const total = 300;
        for (let i = 0; i < total; i += 50)
          await Promise.all(
            Array.from({ length: 50 }, (_, j) => store.insert(handoff(`k${String(i + j).padStart(4, '0')}`))),
          );
        const second = await another();
        const taken = new Map<string, string[]>();
        const drain = async (instance: HandoffStore, owner: string) => {
          for (;;) {
            const batch = await instance.claim(owner, 7, NOW, 60_000);
            if (batch.length === 0) return;
            for (const record of batch) taken.set(record.key, [...(taken.get(record.key) ?? []), owner]);
          }
        };
        await Promise.all([drain(store, 'a1'), drain(store, 'a2'), drain(second, 'b1'), drain(second, 'b2')]);
        expect(taken.size).toBe(total);
        expect([...taken.values()].filter((owners) => owners.length > 1)).toEqual([]);
        const owners = new Set([...taken.values()].flat());
        expect(owners.size).toBeGreaterThan(1);
      });
    });

    describe('update, release, retry', () => {
      it('applies a patch for the lease holder only, and clears the last error with null', async () => {
        const { store } = await open();
        await store.insert(handoff('k1'));
        await store.claim('w1', 1, NOW, 1000);
        const lastError = { code: '0x80040237', httpStatus: 412, message: 'm', reason: 'r' };
        expect(
          await store.update(
            'k1',
            'w1',
            { status: 'delivering', attempts: 2, nextAttemptAt: NOW + 7, lastError, note: 'n\u0000te' },
            NOW + 1,
          ),
        ).toBe(true);
        expect(await store.get('k1')).toMatchObject({
          status: 'delivering',
          attempts: 2,
          nextAttemptAt: NOW + 7,
          lastError,
          note: 'n\u0000te',
          updatedAt: NOW + 1,
          leaseOwner: 'w1', // an active status keeps the lease
        });
        expect(await store.update('k1', 'w2', { status: 'failed' }, NOW + 2)).toBe(false);
        expect((await store.get('k1'))?.status).toBe('delivering');
        expect(await store.update('k1', 'w1', { lastError: null, payload: '{"p":2}' }, NOW + 3)).toBe(true);
        const record = await store.get('k1');
        expect(record?.lastError).toBeUndefined();
        expect(record?.payload).toBe('{"p":2}');
      });

      it('releases the lease with a final status, or when asked', async () => {
        const { store } = await open();
        await store.insert(handoff('k1'));
        await store.insert(handoff('k2'));
        await store.claim('w1', 2, NOW, 1000);
        await store.update(
          'k1',
          'w1',
          { status: 'created', incidentId: 'k1', ticketNumber: 'CAS-01001-X' },
          NOW + 1,
        );
        await store.update('k2', 'w1', { status: 'received', releaseLease: true }, NOW + 1);
        const [k1, k2] = [await store.get('k1'), await store.get('k2')];
        expect(k1).toMatchObject({ status: 'created', incidentId: 'k1', ticketNumber: 'CAS-01001-X' });
        expect(k1?.leaseOwner).toBeUndefined();
        expect(k1?.leaseUntil).toBeUndefined();
        expect(k2?.leaseOwner).toBeUndefined();
        expect((await store.claim('w2', 10, NOW + 2, 1000)).map((r) => r.key)).toEqual(['k2']);
      });

      it("releases every lease of one owner at shutdown, and nobody else's", async () => {
        const { store } = await open();
        for (const key of ['a', 'b', 'c']) await store.insert(handoff(key));
        await store.claim('w1', 2, NOW, 60_000);
        await store.claim('w2', 1, NOW, 60_000);
        expect(await store.releaseAll('w1', NOW + 5)).toBe(2);
        expect(await store.releaseAll('nobody', NOW + 5)).toBe(0);
        expect((await store.claim('w3', 10, NOW + 6, 1000)).map((r) => r.key).sort()).toEqual(['a', 'b']);
        expect((await store.get('c'))?.leaseOwner).toBe('w2');
      });

      it("renews the owner's leases on records still at work, and nobody else's", async () => {
        const { store } = await open();
        for (const key of ['a', 'b', 'c', 'done']) await store.insert(handoff(key));
        await store.claim('w1', 2, NOW, 1000); // a, b
        await store.claim('w2', 2, NOW, 1000); // c, done
        await store.update('done', 'w2', { status: 'created' }, NOW);
        // w1 is still delivering a and b after most of its lease: it renews them, and asks for c too.
        expect(await store.renew('w1', ['a', 'b', 'c'], NOW + 900, 1000)).toEqual(['a', 'b']);
        expect(await store.renew('w2', ['c', 'done'], NOW + 900, 1000)).toEqual(['c']);
        expect(await store.renew('w1', [], NOW + 900, 1000)).toEqual([]);
        expect((await store.get('a'))?.leaseUntil).toBe(NOW + 1900);
        expect((await store.get('done'))?.leaseUntil).toBeUndefined();
        // Past the first lease, nobody can take them; past the renewed one, anybody can.
        expect(await store.claim('w3', 10, NOW + 1500, 1000)).toEqual([]);
        expect((await store.claim('w3', 10, NOW + 1900, 1000)).map((r) => r.key).sort()).toEqual([
          'a',
          'b',
          'c',
        ]);
        expect(await store.renew('w1', ['a'], NOW + 1901, 1000)).toEqual([]); // lost to w3
      });

      it("releases every lease, whoever holds it (a sole owner taking over its predecessor's claims)", async () => {
        const { store } = await open();
        for (const key of ['a', 'b', 'c']) await store.insert(handoff(key));
        await store.claim('w1', 2, NOW, 60_000);
        await store.claim('w2', 1, NOW, 60_000);
        expect(await store.releaseEveryLease(NOW + 5)).toBe(3);
        expect(await store.releaseEveryLease(NOW + 5)).toBe(0);
        expect((await store.claim('w3', 10, NOW + 6, 1000)).map((r) => r.key).sort()).toEqual([
          'a',
          'b',
          'c',
        ]);
      });

      it('retries a failed or skipped record from scratch, and nothing else', async () => {
        const { store } = await open();
        for (const key of ['failed', 'skipped', 'created']) await store.insert(handoff(key));
        await store.claim('w1', 3, NOW, 1000);
        await store.update('failed', 'w1', { status: 'failed', attempts: 8 }, NOW);
        await store.update('skipped', 'w1', { status: 'skipped', note: 'web channel' }, NOW);
        await store.update('created', 'w1', { status: 'created' }, NOW);
        expect(await store.retry('failed', NOW + 60)).toMatchObject({
          status: 'received',
          attempts: 0,
          nextAttemptAt: NOW + 60,
          updatedAt: NOW + 60,
        });
        expect((await store.retry('skipped', NOW + 60))?.status).toBe('received');
        expect(await store.retry('created', NOW + 60)).toBeUndefined();
        expect(await store.retry('unknown', NOW + 60)).toBeUndefined();
        expect((await store.get('created'))?.status).toBe('created');
        expect((await store.claim('w2', 10, NOW + 60, 1000)).map((r) => r.key).sort()).toEqual([
          'failed',
          'skipped',
        ]);
      });
    });

    describe('the shared pause', () => {
      it('starts at zero, moves only later, and is kept per scope', async () => {
        const { store } = await open();
        expect(await store.getPauseUntil('app-user')).toBe(0);
        await store.setPauseUntil('app-user', NOW + 5000);
        await store.setPauseUntil('app-user', NOW + 1000);
        expect(await store.getPauseUntil('app-user')).toBe(NOW + 5000);
        await store.setPauseUntil('app-user', NOW + 6000);
        expect(await store.getPauseUntil('app-user')).toBe(NOW + 6000);
        expect(await store.getPauseUntil('other-user')).toBe(0);
      });

      it('is seen by every instance on the same storage', async () => {
        const { store, another } = await open();
        const second = await another();
        await second.setPauseUntil('app-user', NOW + 5000);
        expect(await store.getPauseUntil('app-user')).toBe(NOW + 5000);
        await Promise.all([
          store.setPauseUntil('app-user', NOW + 9000),
          second.setPauseUntil('app-user', NOW + 7000),
        ]);
        expect(await second.getPauseUntil('app-user')).toBe(NOW + 9000);
      });
    });

    describe('lifecycle', () => {
      it('answers ping when open and StoreUnavailableError once closed', async () => {
        const fixture = await open();
        const extra = await fixture.another();
        // Called as the relay calls them (awaited inside async code): the embedded store throws
        // synchronously from some methods, which an `await` turns into the same rejection.
        const call = <T>(method: () => Promise<T>) => (async () => method())();
        await expect(call(() => extra.ping())).resolves.toBeUndefined();
        await extra.close();
        const unavailable = { name: 'StoreUnavailableError' };
        await expect(call(() => extra.ping())).rejects.toMatchObject(unavailable);
        await expect(call(() => extra.insert(handoff('k1')))).rejects.toMatchObject(unavailable);
        await expect(call(() => extra.claim('w', 1, NOW, 1000))).rejects.toMatchObject(unavailable);
        await expect(call(() => extra.getPauseUntil('app-user'))).rejects.toMatchObject(unavailable);
      });

      it('can be initialised again without losing anything', async () => {
        const { store } = await open();
        await store.insert(handoff('k1'));
        await store.init();
        expect((await store.get('k1'))?.key).toBe('k1');
      });
    });
    if (!options.sealed) dataAtRestContract(openFixture);
  });
}
