import { defaultSeed, SEED_IDS, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { formatSetup, PLACEHOLDER_ID, PLACEHOLDER_NAME, setup } from '../../src/admin/setup.js';
import { verify } from '../../src/admin/verify.js';
import { sandboxEnv, testSandbox } from '../helpers.js';

/** A fresh org: the default seed without the placeholder customer. */
function seedWithoutPlaceholder() {
  const seed = defaultSeed();
  seed.contacts = (seed.contacts ?? []).filter((row) => row.contactid !== SEED_IDS.unidentifiedCaller);
  return seed;
}

const placeholders = (dv: Sandbox) =>
  dv.state.rows('contacts').filter((row) => row.fullname === PLACEHOLDER_NAME);

describe('opencx-relay setup against the Dataverse sandbox', () => {
  it('creates the placeholder once: run twice, one contact with the fixed id', async () => {
    const dv = await testSandbox({ seed: seedWithoutPlaceholder() });
    const { UNIDENTIFIED_CUSTOMER_ID: _id, ...env } = sandboxEnv(dv.url);
    const first = await setup(env);
    const second = await setup(env);
    expect(first).toMatchObject({ ok: true, placeholder: { id: PLACEHOLDER_ID, outcome: 'created' } });
    expect(second).toMatchObject({ ok: true, placeholder: { id: PLACEHOLDER_ID, outcome: 'found' } });
    expect(placeholders(dv).map((row) => row.contactid)).toEqual([PLACEHOLDER_ID]);
    expect(placeholders(dv)[0]).toMatchObject({ lastname: PLACEHOLDER_NAME, statecode: 0 });
    // The printed value is what verify then accepts.
    const report = await verify({ ...env, UNIDENTIFIED_CUSTOMER_ID: PLACEHOLDER_ID });
    expect(report.checks.find((c) => c.id === 'placeholder')?.status).toBe('pass');
  });

  it('prints the values to configure', async () => {
    const dv = await testSandbox({ seed: seedWithoutPlaceholder() });
    const { UNIDENTIFIED_CUSTOMER_ID: _id, DEFAULT_QUEUE_ID: _queue, ...env } = sandboxEnv(dv.url);
    const result = await setup(env);
    const text = formatSetup(result);
    expect(text).toContain(
      `Placeholder customer "${PLACEHOLDER_NAME}" (contact ${PLACEHOLDER_ID}): created.`,
    );
    expect(text).toContain(`  UNIDENTIFIED_CUSTOMER_ID=${PLACEHOLDER_ID}`);
    // Active queues only, to choose DEFAULT_QUEUE_ID from.
    expect(text).toContain(`${SEED_IDS.voiceQueue}  Voice support`);
    expect(text).not.toContain('Old voice queue');
    expect(text).toContain(`placeholderCustomerId property to ${PLACEHOLDER_ID}`);
    expect(text).toContain('opencx-relay verify');
  });

  it('keeps a configured placeholder and creates nothing', async () => {
    const dv = await testSandbox();
    const before = dv.state.rows('contacts').length;
    const result = await setup(sandboxEnv(dv.url));
    expect(result).toMatchObject({
      ok: true,
      placeholder: { id: SEED_IDS.unidentifiedCaller, outcome: 'configured' },
    });
    expect(dv.state.rows('contacts')).toHaveLength(before);
    expect(dv.requests.some((r) => r.path.endsWith('$batch'))).toBe(false);
  });

  it('reuses an "Unidentified caller" made by hand rather than adding a second one', async () => {
    const dv = await testSandbox();
    const { UNIDENTIFIED_CUSTOMER_ID: _id, ...env } = sandboxEnv(dv.url);
    const result = await setup(env);
    expect(result).toMatchObject({
      ok: true,
      placeholder: { id: SEED_IDS.unidentifiedCaller, outcome: 'found' },
    });
    expect(placeholders(dv)).toHaveLength(1);
  });

  it('replaces a configured id that does not exist', async () => {
    const dv = await testSandbox({ seed: seedWithoutPlaceholder() });
    const env = { ...sandboxEnv(dv.url), UNIDENTIFIED_CUSTOMER_ID: '0d0d0d0d-0000-4000-8000-00000000dead' };
    expect(await setup(env)).toMatchObject({
      ok: true,
      placeholder: { id: PLACEHOLDER_ID, outcome: 'created' },
    });
  });

  it('says which privilege is missing when it cannot create the contact', async () => {
    const dv = await testSandbox({
      seed: seedWithoutPlaceholder(),
      auth: { missingPrivileges: ['prvCreateContact'] },
    });
    const { UNIDENTIFIED_CUSTOMER_ID: _id, ...env } = sandboxEnv(dv.url);
    const result = await setup(env);
    expect(result.ok).toBe(false);
    expect(formatSetup(result)).toMatch(
      /403 0x80040220: .*"OpenCX Handoff Relay".*missing prvCreateContact privilege/,
    );
    expect(placeholders(dv)).toHaveLength(0);
  });

  it('lists the active queues, and the users and teams that can own cases, with their ids', async () => {
    const dv = await testSandbox();
    const result = await setup(sandboxEnv(dv.url));
    if (!result.ok) throw new Error('setup failed');
    expect(result.choices).toEqual({
      // Ordered by name: the owner's default queue ("<Avery Voice-Lead>", as Dataverse names a user's
      // queue), the Triage queue a routing rule uses, the voice team's queue. Not the disabled queue.
      queues: [
        { id: SEED_IDS.ownerQueue, name: '<Avery Voice-Lead>', private: true },
        { id: SEED_IDS.triageQueue, name: 'Triage', private: false },
        { id: SEED_IDS.voiceQueue, name: 'Voice support', private: true },
      ],
      // Not the disabled user, not the relay's own application user (AccessMode 4, non-interactive).
      users: [{ id: SEED_IDS.owner, name: 'Avery Voice-Lead', email: 'avery@example.com' }],
      // Not the access team: access teams cannot own records.
      teams: [{ id: SEED_IDS.team, name: 'Voice team', type: 'owner' }],
      truncated: [],
      unavailable: [],
    });
    const text = formatSetup(result);
    expect(text).toContain('Active queues (DEFAULT_QUEUE_ID):');
    expect(text).toContain(
      `    ${SEED_IDS.voiceQueue}  Voice support  (private: only its members see its items)  (configured now)`,
    );
    expect(text).toContain(`    ${SEED_IDS.owner}  Avery Voice-Lead <avery@example.com>  (configured now)`);
    expect(text).toContain(`    ${SEED_IDS.team}  Voice team  (owner team)`);
    expect(text).not.toContain('Case reviewers');
    expect(text).not.toContain('Former Employee');
    expect(text).not.toContain('OpenCX Relay');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('says when a list has more than it shows, and keeps going when one list cannot be read', async () => {
    const seed = defaultSeed();
    seed.queues = Array.from({ length: 51 }, (_, i) => ({
      queueid: `0d0d0d0d-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
      name: `Queue ${String(i).padStart(2, '0')}`,
      queueviewtype: 0,
      statecode: 0,
      statuscode: 1,
    }));
    const dv = await testSandbox({ seed, auth: { missingPrivileges: ['prvReadTeam'] } });
    const { DEFAULT_QUEUE_ID: _queue, ...env } = sandboxEnv(dv.url);
    const result = await setup(env);
    if (!result.ok) throw new Error('setup failed');
    expect(result.choices?.queues).toHaveLength(50);
    expect(result.choices?.truncated).toEqual(['queues']);
    expect(result.choices?.unavailable).toEqual([
      { list: 'teams', reason: expect.stringContaining('403 0x80040220') as string },
    ]);
    const text = formatSetup(result);
    expect(text).toContain('(the first 50; find others by the record URL or a Web API query');
    expect(text).toContain('(could not be read: Dataverse answered 403 0x80040220');
    expect(text).toContain('DEFAULT_QUEUE_ID=<an id from "Active queues" below>');
  });

  it('needs only the Dataverse connection: reports a bad URL without calling anything', async () => {
    const dv = await testSandbox();
    const result = await setup({ DATAVERSE_URL: `${dv.url}/`, DATAVERSE_AUTH: 'none' });
    expect(result).toMatchObject({ ok: false });
    expect(formatSetup(result)).toContain('is not valid');
    expect(dv.requests).toHaveLength(0);
  });
});
