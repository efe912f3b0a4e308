/**
 * The store contract for customer data at rest (issue 25): sealing, caller lookup and erasure, retention,
 * key rotation and rekey, unreadable rows, the audit trail. Part of storeContract (contract.ts), so both
 * stores pass the same tests.
 */
import { describe, expect, it } from 'vitest';
import type { HandoffError, HandoffStore, NewHandoff, PurgeCutoffs } from '../../src/store/types.js';
import { NOW } from '../helpers.js';
import type { OpenFixture } from './contract.js';
import { holds, plainVault, sealingVault } from './vaults.js';

interface Caller {
  name: string;
  email?: string;
  phone?: string;
}
const PRIYA: Caller = { name: 'Priya Raman', email: 'Priya.Raman@example.com', phone: '+1 415-555-0103' };
const MARCUS: Caller = { name: 'Marcus Ohene', phone: '+44 20 7946 0958' };

/** A handoff document for `caller` whose one turn says `words` (a word unique to the test finds it on disk). */
const documentFor = (session: string, caller: Caller | undefined, words: string) =>
  JSON.stringify({
    session_id: session,
    handoff_at: '2026-11-24T14:05:09Z',
    ...(caller ? { customer: caller } : {}),
    messages: [{ at: '2026-11-24T14:02:11Z', role: 'contact', text: `my sourdough order ${words}` }],
  });

const handoffOf = (
  key: string,
  session: string,
  caller: Caller | undefined,
  words: string,
  extra: Partial<NewHandoff> = {},
): NewHandoff => ({
  key,
  kind: 'handoff',
  sessionId: session,
  payload: documentFor(session, caller, words),
  now: NOW,
  ...extra,
});

/** Inserts each handoff and settles it as `status` at `at` (claimed by a worker, then updated). */
async function settled(
  store: HandoffStore,
  entries: Array<[NewHandoff, 'created' | 'duplicate' | 'failed' | 'skipped']>,
  at = NOW,
) {
  for (const [handoff, status] of entries) {
    await store.insert(handoff);
    const [claimed] = await store.claim('settler', 1, at, 60_000);
    expect(claimed?.key).toBe(handoff.key);
    const outcome =
      status === 'failed'
        ? {
            attempts: 8,
            lastError: {
              code: '0x80040265',
              httpStatus: 400,
              message: `refused ${handoff.sessionId}`,
              reason: 'A plug-in refused it.',
            },
          }
        : status === 'skipped'
          ? { note: `Channel web of ${handoff.sessionId} is not turned into cases` }
          : { incidentId: handoff.key, ticketNumber: `CAS-${handoff.key}` };
    await store.update(handoff.key, 'settler', { status, ...outcome }, at);
  }
}

const cutoffs = (overrides: Partial<PurgeCutoffs>): PurgeCutoffs => ({
  settledBefore: 0,
  failedBefore: 0,
  recordsBefore: 0,
  webhookIdsBefore: 0,
  ...overrides,
});

export function dataAtRestContract(open: OpenFixture): void {
  describe('customer data at rest', () => {
    it('seals the payload, session id, note and last error under the first key, and reads them back', async () => {
      const { store, raw } = await open(() => sealingVault(['k1']));
      const handoff = handoffOf('h1', 'session-priya-1', PRIYA, 'zucchini');
      await store.insert(handoff);
      await store.claim('w', 1, NOW, 1000);
      const lastError: HandoffError = {
        code: '0x80040265',
        httpStatus: 400,
        message: `emailaddress1 ${PRIYA.email} refused`,
        reason: `A plug-in said: ${PRIYA.name}`,
      };
      await store.update(
        'h1',
        'w',
        { note: 'Session session-priya-1 noted', lastError, status: 'failed' },
        NOW + 1,
      );
      expect(await store.get('h1')).toMatchObject({
        sessionId: 'session-priya-1',
        payload: handoff.payload,
        note: 'Session session-priya-1 noted',
        lastError,
        status: 'failed',
        settledAt: NOW + 1,
      });
      const bytes = await raw();
      for (const word of [
        'Priya',
        'Raman',
        'example.com',
        '555-0103',
        'zucchini',
        'sourdough',
        'session-priya-1',
      ])
        expect(holds(bytes, word), `"${word}" stored in plain text`).toBe(false);
      expect(holds(bytes, '0x80040265'), 'the error code stays readable').toBe(true);
      expect(await store.dataAtRest()).toMatchObject({
        encrypting: true,
        primaryKeyId: 'k1',
        plain: 0,
        byKeyId: { k1: 1 },
      });
    });

    it('finds one caller by phone, email or session with payloads sealed, and the other records of their sessions', async () => {
      const { store } = await open(() => sealingVault(['k1']));
      await store.insert(handoffOf('by-phone', 'S1', { name: PRIYA.name, phone: PRIYA.phone }, 'one'));
      await store.insert(handoffOf('by-email', 'S2', { name: PRIYA.name, email: PRIYA.email }, 'two'));
      await store.insert(handoffOf('other', 'S3', MARCUS, 'three'));
      // An OpenCX event names no caller until the worker stores the session it fetched.
      const envelope = {
        event: 'conversation.handoff_to_human',
        data: { conversation_id: 'S4', timestamp: '2026-11-24T14:05:09Z' },
      };
      await store.insert({
        key: 'event',
        kind: 'opencx-event',
        sessionId: 'S4',
        payload: JSON.stringify({ envelope }),
        now: NOW + 1,
      });
      await store.insert({
        key: 'append',
        kind: 'append',
        sessionId: 'S1',
        payload: JSON.stringify({ handoffKey: 'by-phone', messages: [] }),
        now: NOW + 2,
      });
      expect((await store.findCaller({ phone: '(415) 555-0103' }, NOW)).map((m) => m.key)).toEqual([
        'by-phone',
        'append',
      ]);
      for (const claimed of await store.claim('w', 10, NOW + 5, 60_000))
        if (claimed.key === 'event')
          await store.update(
            'event',
            'w',
            {
              payload: JSON.stringify({
                envelope,
                document: JSON.parse(documentFor('S4', PRIYA, 'four')) as unknown,
              }),
            },
            NOW + 5,
          );
      const byPhone = await store.findCaller({ phone: '+14155550103' }, NOW + 5);
      expect(byPhone.map((m) => m.key)).toEqual(['by-phone', 'event', 'append']);
      expect(byPhone.every((m) => m.leased)).toBe(true);
      expect((await store.findCaller({ email: ' PRIYA.RAMAN@EXAMPLE.COM ' }, NOW)).map((m) => m.key)).toEqual(
        ['by-email', 'event'],
      );
      expect((await store.findCaller({ session: 'S1' }, NOW)).map((m) => m.key)).toEqual([
        'by-phone',
        'append',
      ]);
      expect((await store.findCaller({ phone: '020 7946 0958' }, NOW)).map((m) => m.key)).toEqual([]); // national, read as US
      expect((await store.findCaller({ phone: '+44 20 7946 0958' }, NOW)).map((m) => m.key)).toEqual([
        'other',
      ]);
      expect(await store.findCaller({ phone: '  ' }, NOW)).toEqual([]);
    });

    it('erases a delivered, a dead-lettered and (only when asked) a pending handoff of one caller, and leaves another caller alone', async () => {
      const { store, raw } = await open(() => plainVault());
      await settled(store, [
        [handoffOf('delivered', 'session-a', PRIYA, 'alphaword'), 'created'],
        [handoffOf('dead', 'session-b', PRIYA, 'bravoword'), 'failed'],
      ]);
      await store.insert(handoffOf('in-delivery', 'session-c', PRIYA, 'charlieword', { now: NOW + 1 }));
      expect((await store.claim('busy-worker', 1, NOW + 1, 60_000)).map((r) => r.key)).toEqual([
        'in-delivery',
      ]);
      await store.insert(handoffOf('pending', 'session-d', PRIYA, 'deltaword', { now: NOW + 2 }));
      await store.insert(handoffOf('marcus', 'session-e', MARCUS, 'echoword', { now: NOW + 3 }));

      const matches = await store.findCaller({ phone: '4155550103' }, NOW + 5);
      expect(matches).toEqual([
        { key: 'dead', kind: 'handoff', status: 'failed', receivedAt: NOW, leased: false },
        {
          key: 'delivered',
          kind: 'handoff',
          status: 'created',
          receivedAt: NOW,
          incidentId: 'delivered',
          ticketNumber: 'CAS-delivered',
          leased: false,
        },
        { key: 'in-delivery', kind: 'handoff', status: 'received', receivedAt: NOW + 1, leased: true },
        { key: 'pending', kind: 'handoff', status: 'received', receivedAt: NOW + 2, leased: false },
      ]);
      const keys = matches.map((m) => m.key);
      expect(await store.erase(keys, NOW + 5, { includePending: false })).toEqual({
        erased: ['dead', 'delivered'],
        pendingKept: ['in-delivery', 'pending'],
        busy: [],
      });
      expect(await store.erase(keys, NOW + 6, { includePending: true })).toEqual({
        erased: ['pending'],
        pendingKept: [],
        busy: ['in-delivery'],
      });
      expect(await store.get('delivered')).toMatchObject({
        status: 'created',
        incidentId: 'delivered',
        ticketNumber: 'CAS-delivered',
        payload: '',
        sessionId: '',
        payloadRemoved: { reason: 'erased', at: NOW + 5 },
      });
      expect(await store.get('dead')).toMatchObject({
        status: 'failed',
        attempts: 8,
        lastError: { code: '0x80040265', message: '' },
      });
      // Erased before delivery: it ends skipped, and its case is never created.
      expect(await store.get('pending')).toMatchObject({
        status: 'skipped',
        settledAt: NOW + 6,
        payloadRemoved: { reason: 'erased' },
      });
      expect(await store.claim('w', 10, NOW + 7, 1000)).toEqual([expect.objectContaining({ key: 'marcus' })]);
      expect(await store.retry('dead', NOW + 8)).toBeUndefined();
      expect((await store.get('marcus'))?.payload).toContain('echoword');
      expect((await store.findCaller({ phone: PRIYA.phone! }, NOW + 8)).map((m) => m.key)).toEqual([
        'in-delivery',
      ]);
      const bytes = await raw();
      for (const word of ['alphaword', 'bravoword', 'deltaword', 'session-a', 'session-d'])
        expect(holds(bytes, word), `"${word}" is still stored`).toBe(false);
      expect(holds(bytes, 'echoword')).toBe(true);
    });

    it('removes settled payloads after their retention and dead letters after theirs, never a pending one, and the record still answers a re-delivery', async () => {
      const { store, raw } = await open(() => plainVault());
      await settled(
        store,
        (['created', 'duplicate', 'skipped', 'failed'] as const).map((status) => [
          handoffOf(status, `session-${status}`, PRIYA, `${status}word`, { webhookId: `msg_${status}` }),
          status,
        ]),
        NOW + 10,
      );
      await store.insert(
        handoffOf('pending', 'session-pending', PRIYA, 'pendingword', { webhookId: 'msg_pending' }),
      );
      const first = cutoffs({ settledBefore: NOW + 10, failedBefore: NOW + 9 });
      expect(await store.purge(first, 100, NOW + 20)).toEqual({
        payloads: 3,
        deadLetters: 0,
        records: 0,
        webhookIds: 0,
      });
      expect(await store.purge(first, 100, NOW + 21)).toEqual({
        payloads: 0,
        deadLetters: 0,
        records: 0,
        webhookIds: 0,
      });
      const created = await store.get('created');
      expect(created).toMatchObject({
        key: 'created',
        kind: 'handoff',
        status: 'created',
        incidentId: 'created',
        ticketNumber: 'CAS-created',
        payload: '',
        sessionId: '',
        settledAt: NOW + 10,
        payloadRemoved: { reason: 'expired', at: NOW + 20 },
      });
      expect(created?.note).toBeUndefined();
      expect((await store.get('skipped'))?.note).toBeUndefined();
      expect((await store.get('failed'))?.payload).toContain('failedword');
      expect((await store.get('pending'))?.payload).toContain('pendingword');
      // The same handoff again, under a new webhook id or the old one: answered from the small record.
      expect(
        await store.insert(
          handoffOf('created', 'session-created', PRIYA, 'createdword', {
            webhookId: 'msg_new',
            now: NOW + 30,
          }),
        ),
      ).toMatchObject({
        inserted: false,
        record: { key: 'created', status: 'created', ticketNumber: 'CAS-created' },
      });
      expect((await store.findByWebhookId('msg_created'))?.key).toBe('created');
      const bytes = await raw();
      for (const word of ['createdword', 'duplicateword', 'skippedword', 'session-created'])
        expect(holds(bytes, word), `"${word}" is still stored`).toBe(false);

      expect(
        await store.purge(cutoffs({ settledBefore: NOW + 10, failedBefore: NOW + 10 }), 100, NOW + 40),
      ).toMatchObject({ deadLetters: 1 });
      expect(await store.get('failed')).toMatchObject({
        status: 'failed',
        attempts: 8,
        payload: '',
        lastError: { code: '0x80040265', message: '' },
        payloadRemoved: { reason: 'expired', at: NOW + 40 },
      });
      expect(
        await store.purge(cutoffs({ recordsBefore: NOW + 10, webhookIdsBefore: NOW }), 100, NOW + 50),
      ).toEqual({
        payloads: 0,
        deadLetters: 0,
        records: 4,
        webhookIds: 5,
      });
      expect(await store.get('created')).toBeUndefined();
      expect(await store.findByWebhookId('msg_pending')).toBeUndefined();
      expect((await store.get('pending'))?.status).toBe('received'); // its webhook id went, the record never does
      // Past the record's lifetime the same handoff is new again: Dataverse's 412 on the incident id stops a second case.
      expect(
        (await store.insert(handoffOf('created', 'session-created', PRIYA, 'createdword', { now: NOW + 60 })))
          .inserted,
      ).toBe(true);
    });

    it('purges in rounds of the limit, and instances purging at once remove each payload once', async () => {
      const { store, another } = await open(() => plainVault());
      const second = await another();
      const total = 40;
      for (let i = 0; i < total; i += 1)
        await store.insert(handoffOf(`k${String(i).padStart(2, '0')}`, `S${i}`, PRIYA, 'w'));
      for (const record of await store.claim('w', total, NOW, 60_000))
        await store.update(record.key, 'w', { status: 'created' }, NOW);
      const drain = async (instance: HandoffStore) => {
        let removed = 0;
        for (;;) {
          const round = await instance.purge(cutoffs({ settledBefore: NOW }), 3, NOW + 1);
          expect(round.payloads).toBeLessThanOrEqual(3);
          if (round.payloads === 0) return removed;
          removed += round.payloads;
        }
      };
      const [a, b] = await Promise.all([drain(store), drain(second)]);
      expect(a + b).toBe(total);
      expect((await store.list({ limit: 100 })).every((r) => r.payloadRemoved?.reason === 'expired')).toBe(
        true,
      );
    });

    it('counts the dead letters whose payload is about to expire, oldest first', async () => {
      const { store } = await open(() => plainVault());
      await settled(store, [[handoffOf('old', 'S1', PRIYA, 'w'), 'failed']], NOW);
      await settled(store, [[handoffOf('new', 'S2', PRIYA, 'w'), 'failed']], NOW + 100);
      await settled(store, [[handoffOf('done', 'S3', PRIYA, 'w'), 'created']], NOW);
      expect(await store.deadLettersExpiring(NOW + 100, 1)).toEqual({ count: 2, keys: ['old'] });
      expect(await store.deadLettersExpiring(NOW + 50, 10)).toEqual({ count: 1, keys: ['old'] });
      expect(await store.deadLettersExpiring(NOW - 1, 10)).toEqual({ count: 0, keys: [] });
    });

    it('reads rows under an older key after rotation, and rekey seals them under the new first key', async () => {
      const fixture = await open(() => sealingVault(['old']));
      await settled(fixture.store, [[handoffOf('r1', 'S1', PRIYA, 'w1'), 'failed']]);
      await fixture.store.insert(handoffOf('r2', 'S2', PRIYA, 'w2'));
      await fixture.store.insert(handoffOf('r3', 'S3', MARCUS, 'w3'));
      const rotated = await fixture.reopen(() => sealingVault(['new', 'old']));
      expect((await rotated.get('r1'))?.lastError?.message).toBe('refused S1');
      expect(await rotated.dataAtRest()).toMatchObject({
        primaryKeyId: 'new',
        plain: 0,
        byKeyId: { old: 3 },
      });
      const firstPass = await rotated.rekey(undefined, 2);
      expect(firstPass).toMatchObject({ resealed: 2, changed: 0, unreadable: [], lastKey: 'r2' });
      expect(await rotated.rekey(firstPass.lastKey, 2)).toEqual({ resealed: 1, changed: 0, unreadable: [] });
      expect(await rotated.dataAtRest()).toMatchObject({ plain: 0, byKeyId: { new: 3 } });
      expect(await rotated.rekey(undefined, 2)).toEqual({ resealed: 0, changed: 0, unreadable: [] });
      // Without the old key: everything reads, and callers are still found (the lookup key moved too).
      const onlyNew = await fixture.reopen(() => sealingVault(['new']));
      expect((await onlyNew.get('r1'))?.lastError?.message).toBe('refused S1');
      expect((await onlyNew.get('r3'))?.payload).toContain('w3');
      expect((await onlyNew.findCaller({ email: PRIYA.email! }, NOW)).map((m) => m.key)).toEqual([
        'r1',
        'r2',
      ]);
    });

    it('keeps plain-text rows readable once keys are set, and rekey seals them', async () => {
      const fixture = await open(() => plainVault());
      await fixture.store.insert(handoffOf('p1', 'S1', PRIYA, 'plainword'));
      const sealing = await fixture.reopen(() => sealingVault(['k1']));
      expect((await sealing.get('p1'))?.payload).toContain('plainword');
      expect(await sealing.dataAtRest()).toMatchObject({ encrypting: true, plain: 1, byKeyId: {} });
      expect(await sealing.rekey(undefined, 10)).toEqual({ resealed: 1, changed: 0, unreadable: [] });
      expect(await sealing.dataAtRest()).toMatchObject({ plain: 0, byKeyId: { k1: 1 } });
      expect((await sealing.get('p1'))?.payload).toContain('plainword');
      expect((await sealing.findCaller({ phone: PRIYA.phone! }, NOW)).map((m) => m.key)).toEqual(['p1']);
      const bytes = await fixture.raw();
      for (const word of ['plainword', 'Priya'])
        expect(holds(bytes, word), `"${word}" is still stored`).toBe(false);
    });

    it('reads the fields of a row sealed under a key it lacks as empty, and dead-letters such a handoff when claimed', async () => {
      const fixture = await open(() => sealingVault(['a']));
      await fixture.store.insert(handoffOf('sealed', 'S1', PRIYA, 'w'));
      const without = await fixture.reopen(() => sealingVault(['b']));
      expect((await without.dataAtRest()).lookupKeyProblem).toContain('"a"');
      expect(await without.get('sealed')).toMatchObject({
        payload: '',
        sessionId: '',
        sealedUnder: 'a',
        status: 'received',
      });
      expect(await without.claim('w', 1, NOW, 1000)).toEqual([]);
      expect(await without.get('sealed')).toMatchObject({
        status: 'failed',
        lastError: { code: 'payload_unreadable' },
      });
      const back = await fixture.reopen(() => sealingVault(['b', 'a']));
      expect((await back.retry('sealed', NOW + 1))?.payload).toContain('sourdough');
    });

    it('keeps an audit trail, newest first', async () => {
      const { store } = await open(() => plainVault());
      await store.audit({
        at: NOW,
        action: 'erase',
        user: 'ops',
        host: 'relay-1',
        counts: { matched: 3, erased: 2 },
      });
      await store.audit({
        at: NOW + 1,
        action: 'purge',
        user: 'relay',
        host: 'relay-1',
        counts: { payloads: 10 },
      });
      expect(await store.auditTrail(10)).toEqual([
        { at: NOW + 1, action: 'purge', user: 'relay', host: 'relay-1', counts: { payloads: 10 } },
        { at: NOW, action: 'erase', user: 'ops', host: 'relay-1', counts: { matched: 3, erased: 2 } },
      ]);
      expect(await store.auditTrail(1)).toHaveLength(1);
    });
  });
}
