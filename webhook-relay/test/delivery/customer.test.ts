import { describe, expect, it } from 'vitest';
import { customerAfterDuplicate } from '../../src/delivery/customer.js';

describe('the customer after a 412 on the change set', () => {
  const create = { kind: 'create', id: 'c1', lastname: 'Dana', email: 'dana@example.com' } as const;

  it('links the contact another handoff from this caller created first (the contact is content id 1)', () => {
    expect(customerAfterDuplicate(create, '1')).toEqual({ kind: 'contact', id: 'c1', match: 'email' });
  });

  it('is none when the 412 was the case itself: an earlier attempt created it', () => {
    expect(customerAfterDuplicate(create, '2')).toBeUndefined();
    expect(customerAfterDuplicate(create, undefined)).toBeUndefined();
    expect(customerAfterDuplicate({ kind: 'contact', id: 'c1', match: 'email' }, '1')).toBeUndefined();
    expect(customerAfterDuplicate({ kind: 'placeholder' }, '1')).toBeUndefined();
  });
});
