import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  parseDuration,
  parseEncryptionKeys,
  readDataAtRestSettings,
} from '../../src/config/data-at-rest.js';
import { keyEntry } from '../store-contract/vaults.js';

describe('data at rest settings', () => {
  it('reads durations in s, m, h and d (and ms), and writes them back in the largest unit', () => {
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration(' 12h ')).toBe(43_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('250ms')).toBe(250);
    for (const bad of ['7', 'd', '1.5h', '-1d', '7 days', '1w', ''])
      expect(parseDuration(bad), bad).toBeUndefined();
    expect(formatDuration(604_800_000)).toBe('7d');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(250)).toBe('250ms');
  });

  it('defaults to 7 days, 30 days for dead letters and 90 days for records, with no keys', () => {
    expect(readDataAtRestSettings({})).toEqual({
      settings: {
        keys: [],
        retention: { payloadMs: 7 * 86_400_000, deadLetterMs: 30 * 86_400_000, recordMs: 90 * 86_400_000 },
      },
      errors: [],
    });
  });

  it('takes several keys, the first one first, as KeyObjects that never print their material', () => {
    const { keys, errors } = parseEncryptionKeys(`${keyEntry('2026b')}, ${keyEntry('2026a')}`);
    expect(errors).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['2026b', '2026a']);
    expect(keys[0].key.symmetricKeySize).toBe(32);
    expect(JSON.stringify(keys)).not.toContain(keyEntry('2026b').split(':')[1]);
  });

  it('names every bad key without echoing its material', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const { errors } = parseEncryptionKeys(
      `nocolon, bad id:${short}, k1:${short}, k2:not base64!, ${keyEntry('k3')}, ${keyEntry('k3')}`,
    );
    expect(errors).toHaveLength(5);
    expect(errors[0]).toContain('(…)');
    expect(errors[1]).toContain('bad id:…');
    expect(errors[2]).toContain('"k1" is not 32 bytes');
    expect(errors[3]).toContain('"k2" is not 32 bytes');
    expect(errors[4]).toContain('"k3" twice');
    expect(errors.join('\n')).not.toContain(short);
  });

  it('refuses retentions that would drop a dead letter before a delivered payload, or a record before its payload', () => {
    expect(readDataAtRestSettings({ PAYLOAD_RETENTION: 'soon' }).errors[0]).toBe(
      'PAYLOAD_RETENTION=soon is not valid. Use a number and a unit: 45s, 30m, 12h or 7d.',
    );
    expect(readDataAtRestSettings({ PAYLOAD_RETENTION: '40d' }).errors).toEqual([
      expect.stringContaining('DEAD_LETTER_RETENTION=30d is not valid'),
    ]);
    expect(readDataAtRestSettings({ DEAD_LETTER_RETENTION: '100d' }).errors).toEqual([
      expect.stringContaining('use at least 100d'),
    ]);
    expect(
      readDataAtRestSettings({
        PAYLOAD_RETENTION: '2s',
        DEAD_LETTER_RETENTION: '2s',
        HANDOFF_RECORD_RETENTION: '3s',
      }).errors,
    ).toEqual([]);
  });
});
