import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handoffSchemaJson } from '../../src/handoff/schema-json.js';
import { handoffKey } from '../../src/handoff/key.js';
import { validateHandoff } from '../../src/intake/validate.js';
import { handoffFixtures, readFixture } from '../helpers.js';

describe('the published handoff schema', () => {
  it('is the TypeBox schema, regenerated (run `npx tsx webhook-relay/scripts/write-schema.ts` when this fails)', () => {
    const published = readFileSync(path.join(import.meta.dirname, '../../schema/handoff-v1.json'), 'utf8');
    expect(published).toBe(handoffSchemaJson());
  });
});

describe('the handoff key', () => {
  it('is the same for one instant written with different offsets, and differs per session and instant', () => {
    const a = handoffKey('s1', '2026-11-24T14:05:09Z');
    expect(handoffKey('s1', '2026-11-24T16:05:09+02:00')).toBe(a);
    expect(handoffKey('s2', '2026-11-24T14:05:09Z')).not.toBe(a);
    expect(handoffKey('s1', '2026-11-24T14:05:10Z')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('customer.verification, added within v1', () => {
  const base = {
    session_id: 's-21',
    handoff_at: '2026-11-24T10:16:30Z',
    messages: [{ at: '2026-11-24T10:15:09Z', role: 'contact', text: 'I am priya@example.com.' }],
  };

  it('leaves every document written before it valid, and meaning the same (no marks)', () => {
    for (const name of handoffFixtures()) {
      const document: unknown = JSON.parse(readFixture(`handoffs/${name}.json`).toString('utf8'));
      const result = validateHandoff(document);
      expect(result.ok, name).toBe(true);
      if (result.ok) expect(result.document.customer?.verification, name).toBeUndefined();
    }
  });

  it('accepts a mark per detail, and marks for details the document does not give (ignored later)', () => {
    const customer = {
      name: 'Priya Raman',
      email: 'priya@example.com',
      verification: { name: 'verified', email: 'stated', phone: 'stated' },
    };
    const result = validateHandoff({ ...base, customer });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.document.customer).toEqual(customer);
    expect(validateHandoff({ ...base, customer: { verification: {} } }).ok).toBe(true);
  });

  it.each([
    [{ email: 'a@example.com', verification: { email: 'unverified' } }, '/customer/verification/email'],
    [{ email: 'a@example.com', verification: { email: true } }, '/customer/verification/email'],
    [{ email: 'a@example.com', verification: { address: 'stated' } }, '/customer/verification/address'],
    [{ email: 'a@example.com', verification: 'stated' }, '/customer/verification'],
  ])('refuses %j, pointing at %s', (customer, pointer) => {
    const result = validateHandoff({ ...base, customer });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.pointer)).toContain(pointer);
  });
});
