import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handoffSchemaJson } from '../../src/handoff/schema-json.js';
import { handoffKey } from '../../src/handoff/key.js';

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
