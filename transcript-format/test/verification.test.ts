import { describe, expect, it } from 'vitest';
import {
  fit,
  normalizeTranscript,
  parse,
  write,
  type Customer,
  type Transcript,
  type Turn,
} from '../src/index.js';

const TURNS: Turn[] = [{ at: '2026-11-24T10:15:00Z', role: 'contact', text: 'About my invoice.' }];

function withCustomer(customer: Customer, contactMatch?: Transcript['header']['contactMatch']): Transcript {
  return {
    header: { channel: 'phone_voice', customer, ...(contactMatch ? { contactMatch } : {}) },
    turns: TURNS,
  };
}

function readBack(text: string) {
  const parsed = parse(text);
  if (parsed.kind !== 'transcript') throw new Error(`expected a transcript, got ${parsed.kind}:\n${text}`);
  return parsed;
}

describe('verification marks', () => {
  it('writes each mark after its detail, readable as plain text, and reads it back', () => {
    const t = withCustomer(
      {
        name: 'Priya Raman',
        email: 'priya@example.com',
        phone: '+14155550101',
        verification: { name: 'verified', email: 'stated' },
      },
      'phone',
    );
    const text = write(t);
    expect(text.split('\n').slice(0, 5)).toEqual([
      'Channel: phone_voice',
      'Customer name: Priya Raman (verified by OpenCX)',
      'Customer email: priya@example.com (stated by the caller)',
      'Customer phone: +14155550101',
      'Contact: matched by phone',
    ]);
    expect(readBack(text).transcript).toEqual(normalizeTranscript(t));
    expect(readBack(text).transcript.header.customer?.verification).toEqual({
      name: 'verified',
      email: 'stated',
    });
  });

  it('says a case was linked through an email the caller stated with the contact line and the email mark', () => {
    const t = withCustomer({ email: 'priya@example.com', verification: { email: 'stated' } }, 'email');
    const header = readBack(write(t)).transcript.header;
    expect(header.contactMatch).toBe('email');
    expect(header.customer?.verification?.email).toBe('stated');
    expect(write(t)).toContain(
      'Customer email: priya@example.com (stated by the caller)\nContact: matched by email',
    );
  });

  it('reads a transcript written before marks existed with no verification at all', () => {
    const old = [
      'Customer name: Dana Whitfield',
      'Customer email: dana@example.com',
      'Contact: matched by email',
      '',
      '--- 2026-11-24 · transcript v1 · UTC ---',
      '[10:15:00] Caller: About my invoice.',
    ].join('\n');
    const customer = readBack(old).transcript.header.customer;
    expect(customer).toEqual({ name: 'Dana Whitfield', email: 'dana@example.com' });
    expect(customer).not.toHaveProperty('verification');
  });

  it('takes a repeated detail line whole, its mark (or none) included', () => {
    const text = [
      'Customer email: said@example.com (stated by the caller)',
      'Customer email: real@example.com',
      '',
      '--- transcript v1 · UTC ---',
    ].join('\n');
    expect(readBack(text).transcript.header.customer).toEqual({ email: 'real@example.com' });
  });

  it.each([
    ['a name that ends like a stated mark', 'Bob (stated by the caller)', 'Bob (stated by the caller\\)'],
    ['a name that ends like a verified mark', 'Ann (verified by OpenCX)', 'Ann (verified by OpenCX\\)'],
  ])('escapes the final ")" of %s so it is never taken for a mark', (_what, name, written) => {
    for (const verification of [undefined, 'stated' as const]) {
      const t = withCustomer(verification ? { name, verification: { name: verification } } : { name });
      const text = write(t);
      expect(text).toContain(`Customer name: ${written}${verification ? ' (stated by the caller)' : ''}\n`);
      expect(readBack(text).transcript).toEqual(normalizeTranscript(t));
    }
  });

  it('keeps a multi-line value with its mark after the last line, and a real final … escaped before it', () => {
    const t = withCustomer({ name: 'Priya\nRaman…', verification: { name: 'stated' } });
    const text = write(t);
    expect(text).toContain('Customer name: Priya\n    Raman\\… (stated by the caller)\n');
    const parsed = readBack(text);
    expect(parsed.headerShortened).toBe(false);
    expect(parsed.transcript).toEqual(normalizeTranscript(t));
  });

  it('drops marks for absent details and marks it does not know', () => {
    const normal = normalizeTranscript({
      header: {
        customer: {
          email: 'a@example.com',
          name: '',
          verification: { name: 'verified', email: 'checked' as 'verified', phone: 'stated' },
        },
      },
      turns: [],
    });
    expect(normal.header.customer).toEqual({ email: 'a@example.com' });
  });

  it('never cuts a mark: a shortened detail keeps it after its bare …', () => {
    const name = 'Priya Raman-Venkataraman '.repeat(20).trim();
    const t: Transcript = {
      header: {
        summary: 'x'.repeat(2000),
        customer: { name, email: 'priya@example.com', verification: { name: 'stated', email: 'stated' } },
      },
      turns: Array.from({ length: 40 }, (_, i) => ({
        at: new Date(Date.UTC(2026, 10, 24, 10, 0, i * 5)).toISOString(),
        role: i % 2 === 0 ? ('contact' as const) : ('ai' as const),
        text: `Turn ${i} about the invoice.`,
      })),
    };
    const result = fit(t, { maxLength: 1200 });
    expect(result.text.length).toBeLessThanOrEqual(1200);
    expect(result.text).toMatch(/^Customer name: Priya[^\n]*… \(stated by the caller\)$/m);
    const parsed = readBack(result.text);
    expect(parsed.headerShortened).toBe(true);
    expect(parsed.transcript.header.customer?.verification).toEqual({ name: 'stated', email: 'stated' });
    expect(parsed.transcript.header.customer?.email).toBe('priya@example.com');
  });

  it('reads marks leniently from hand-edited or foreign text, in any case, only at the end of a detail', () => {
    const parsed = parse(
      [
        'Channel: phone',
        'Summary: Billing question',
        'Email: priya@example.com (Stated by the caller)',
        'Name: Priya Raman (verified by OpenCX)',
        'Phone: +14155550101 (stated by the caller) or the office',
        '',
        '[2026-11-24 14:02:11] customer: Hi',
      ].join('\n'),
    );
    expect(parsed.kind).toBe('best-effort');
    if (parsed.kind !== 'best-effort') return;
    expect(parsed.transcript.header.customer).toEqual({
      name: 'Priya Raman',
      email: 'priya@example.com',
      phone: '+14155550101 (stated by the caller) or the office',
      verification: { name: 'verified', email: 'stated' },
    });
  });

  it('reads the marks of a hand-edited version 1 text (best-effort), escapes included', () => {
    const t = withCustomer({
      name: 'Bob (stated by the caller)',
      email: 'bob@example.com',
      verification: { email: 'verified' },
    });
    const edited = `${write(t)}\nA line a rep typed.`.replace('[10:15:00] Caller:', '[10:15:00] Caller :');
    const parsed = parse(edited);
    expect(parsed.kind).toBe('best-effort');
    if (parsed.kind !== 'best-effort') return;
    expect(parsed.transcript.header.customer).toEqual(normalizeTranscript(t).header.customer);
  });
});
