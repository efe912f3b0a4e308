import { describe, expect, it } from 'vitest';
import type { StoredRow } from '../../src/store/payload-vault.js';
import { plainVault, sealingVault } from '../store-contract/vaults.js';

const row = (overrides: Partial<StoredRow>): StoredRow => ({
  key: 'k1',
  kind: 'handoff',
  session_id: '',
  payload: '',
  status: 'received',
  attempts: 0,
  next_attempt_at: 1,
  last_error: null,
  error_code: null,
  incident_id: null,
  ticket_number: null,
  note: null,
  received_at: 1,
  updated_at: 1,
  settled_at: null,
  lease_owner: null,
  lease_until: null,
  payload_removed_at: null,
  payload_removal: null,
  ...overrides,
});
const PAYLOAD = JSON.stringify({
  session_id: 'S1',
  customer: { phone: '+1 415 555 0103', email: 'p@x.example' },
});

describe('the payload vault', () => {
  it('hashes callers with a lookup key of the store, the same whatever the encryption key', () => {
    const first = sealingVault(['a']);
    const stored = first.newLookupKey();
    expect(first.adoptLookupKey(stored)).toEqual({});
    const rotated = sealingVault(['b', 'a']);
    const { rewrap } = rotated.adoptLookupKey(stored);
    expect(rewrap).toBeDefined();
    const columns = first.sealNew({ key: 'k1', kind: 'handoff', sessionId: 'S1', payload: PAYLOAD, now: 1 });
    expect(columns.phone_hash).toBe(rotated.selectorHash({ phone: '(415) 555-0103' })?.hash);
    expect(columns.email_hash).toBe(rotated.selectorHash({ email: 'P@X.EXAMPLE' })?.hash);
    expect(columns.session_hash).toBe(rotated.selectorHash({ session: 'S1' })?.hash);
    // Another store's lookup key gives other hashes: a hash means nothing without its store's key.
    const elsewhere = sealingVault(['a']);
    elsewhere.adoptLookupKey(elsewhere.newLookupKey());
    expect(elsewhere.selectorHash({ phone: '+14155550103' })?.hash).not.toBe(columns.phone_hash);
  });

  it('keeps the lookup key sealed under the first key, and reports when no listed key opens it', () => {
    const plain = plainVault();
    const stored = plain.newLookupKey();
    expect(Buffer.from(stored, 'base64')).toHaveLength(32);
    expect(sealingVault(['a']).adoptLookupKey(stored).rewrap?.startsWith('\u0002ocx1:a:')).toBe(true);
    const sealed = sealingVault(['a']).newLookupKey();
    const lost = sealingVault(['b']);
    expect(lost.adoptLookupKey(sealed)).toEqual({});
    expect(lost.status().lookupKeyProblem).toContain('key id "a"');
    expect(() => lost.sealNew({ key: 'k', kind: 'handoff', sessionId: 's', payload: '{}', now: 1 })).toThrow(
      /key id "a"/,
    );
    const unset = plainVault();
    unset.adoptLookupKey(sealed);
    expect(unset.status().lookupKeyProblem).toContain('PAYLOAD_ENCRYPTION_KEYS is not set');
  });

  it('reads a removed payload as empty, with the error code and why the details are gone', () => {
    const vault = plainVault();
    vault.adoptLookupKey(vault.newLookupKey());
    expect(
      vault.open(
        row({
          status: 'failed',
          error_code: '0x80040265',
          settled_at: 5,
          payload_removed_at: 9,
          payload_removal: 'erased',
        }),
      ),
    ).toMatchObject({
      payload: '',
      sessionId: '',
      settledAt: 5,
      payloadRemoved: { reason: 'erased', at: 9 },
      lastError: { code: '0x80040265', message: '', reason: expect.stringContaining('removed') as string },
    });
  });

  it('writes hashes only from a payload that names the caller, and never clears them', () => {
    const vault = plainVault();
    vault.adoptLookupKey(vault.newLookupKey());
    expect(Object.keys(vault.sealPatch('k1', { payload: PAYLOAD })).sort()).toEqual([
      'email_hash',
      'payload',
      'phone_hash',
      'session_hash',
    ]);
    expect(Object.keys(vault.sealPatch('k1', { payload: '{"handoffKey":"x"}' }))).toEqual(['payload']);
    expect(vault.sealPatch('k1', { lastError: null })).toEqual({ last_error: null, error_code: null });
    expect(vault.sealPatch('k1', { status: 'created' })).toEqual({});
  });
});
