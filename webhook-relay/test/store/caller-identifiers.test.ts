import { describe, expect, it } from 'vitest';
import {
  identifiersOf,
  identifiersOfValue,
  normalisePhone,
  normaliseSelector,
} from '../../src/store/caller-identifiers.js';

describe('caller identifiers', () => {
  it('reads every rendering of one phone as the same E.164 number, nationals in the default country', () => {
    for (const raw of [
      '+1 415-555-0103',
      '(415) 555-0103',
      '4155550103',
      '+14155550103',
      '415.555.0103 ext. 12',
    ])
      expect(normalisePhone(raw, 'US'), raw).toBe('+14155550103');
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    // A number the relay cannot read still matches when written the same way.
    expect(normalisePhone('12-34', 'US')).toBe('1234');
    expect(normalisePhone('+12-34', 'US')).toBe('+1234');
    expect(normalisePhone('ab', 'US')).toBeUndefined();
  });

  it('normalises the erase selector: email lower-cased, session trimmed, empty ones refused', () => {
    expect(normaliseSelector({ email: ' Priya.Raman@Example.COM ' }, 'US')).toEqual({
      kind: 'email',
      value: 'priya.raman@example.com',
    });
    expect(normaliseSelector({ session: ' s1 ' }, 'US')).toEqual({ kind: 'session', value: 's1' });
    expect(normaliseSelector({ phone: '(415) 555-0103' }, 'US')).toEqual({
      kind: 'phone',
      value: '+14155550103',
    });
    expect(normaliseSelector({ email: '  ' }, 'US')).toBeUndefined();
  });

  it('finds the caller in a handoff document, a fetched OpenCX event and nowhere in an append job', () => {
    const document = { session_id: 'S1', customer: { email: 'A@B.example', phone: '+1 415 555 0103' } };
    expect(identifiersOf(JSON.stringify(document), 'US')).toEqual({
      phone: '+14155550103',
      email: 'a@b.example',
      session: 'S1',
    });
    const envelope = { event: 'conversation.handoff_to_human', data: { conversation_id: 'S2' } };
    expect(identifiersOf(JSON.stringify({ envelope }), 'US')).toEqual({ session: 'S2' });
    expect(
      identifiersOf(JSON.stringify({ envelope, document: { ...document, session_id: 'S2' } }), 'US'),
    ).toEqual({
      phone: '+14155550103',
      email: 'a@b.example',
      session: 'S2',
    });
    expect(identifiersOf(JSON.stringify({ handoffKey: 'k', messages: [] }), 'US')).toEqual({});
    for (const odd of ['not json', '[1]', 'null', '{"customer":"x"}', '{"customer":{"phone":7}}'])
      expect(identifiersOf(odd, 'US'), odd).toEqual({});
  });

  it('reads the same identifiers from the parsed value intake holds as from its JSON text', () => {
    const document = { session_id: ' S1 ', customer: { email: 'A@B.example', phone: '(415) 555-0103' } };
    const envelope = { event: 'conversation.handoff_to_human', data: { conversation_id: 'S2' } };
    for (const value of [document, { envelope }, { envelope, document }, [1], null, { customer: 'x' }])
      expect(identifiersOfValue(value, 'US')).toEqual(identifiersOf(JSON.stringify(value), 'US'));
  });
});
