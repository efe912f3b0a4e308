import { readFileSync } from 'node:fs';
import path from 'node:path';
import { caseForm, caseFormXml, defaultSeed, SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { CASE_FORMS_QUERY, resultOf } from '../../src/admin/case-forms.js';
import { placementIn, TRANSCRIPT_CONTROL_NAME } from '../../src/admin/form-xml.js';
import { formatReport, type CheckResult, type VerifyReport } from '../../src/admin/report.js';
import { verify } from '../../src/admin/verify.js';
import { sandboxEnv, testSandbox } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '../../..');

const formsCheck = (report: VerifyReport): CheckResult => {
  const found = report.checks.find((c) => c.id === 'forms');
  if (!found) throw new Error('no forms check');
  return found;
};

const FORM = '7b0c0d6e-1c1a-4e5f-9d2a-000000000299';
const xml = (options: Partial<Parameters<typeof caseFormXml>[0]> = {}) =>
  caseFormXml({ idBase: '7b0c0d6e-1c1a-4e5f-9d2a-0000000009', ...options });

describe('the transcript control in a form definition (FormXml)', () => {
  it('is the name the solution installs and the manifest declares', () => {
    const customizations = readFileSync(path.join(root, 'solution/src/Other/Customizations.xml'), 'utf8');
    expect(customizations).toContain(`<Name>${TRANSCRIPT_CONTROL_NAME}</Name>`);
    const manifest = readFileSync(
      path.join(root, 'OpenCXTranscriptControl/ControlManifest.Input.xml'),
      'utf8',
    );
    const [, namespace, constructor] = /namespace="([^"]+)" constructor="([^"]+)"/.exec(manifest) ?? [];
    expect(TRANSCRIPT_CONTROL_NAME).toBe(`opencx_${namespace}.${constructor}`);
    expect(manifest).toMatch(/<property name="transcript"[^>]*usage="bound"/);
  });

  it('finds it per client (formFactor 0 web, 1 tablet, 2 phone) on the Description column', () => {
    expect(placementIn(xml({ transcriptOn: ['web', 'tablet', 'phone'] }))).toEqual({
      readable: true,
      description: true,
      clients: ['web', 'tablet', 'phone'],
    });
    expect(placementIn(xml({ transcriptOn: ['phone'] })).clients).toEqual(['phone']);
    expect(placementIn(xml())).toEqual({ readable: true, description: true, clients: [] });
    expect(placementIn(xml({ withoutDescription: true })).description).toBe(false);
  });

  it('does not count it when its bound property names another column', () => {
    expect(placementIn(xml({ transcriptOn: ['web'], boundTo: 'title' }))).toEqual({
      readable: true,
      description: true,
      clients: [],
      boundElsewhere: 'title',
    });
  });

  it("reads the spellings of Microsoft's FormXml reference (lower case) and of exported forms alike", () => {
    const lower = `<form><tabs><tab><columns><column><sections><section><rows><row><cell>
      <control id="description" classid="{E0DECE4B-6FC8-4a8f-A065-082708572369}" datafieldname="description" uniqueid="{AAAAAAAA-1111-4111-8111-111111111111}" />
      </cell></row></rows></section></sections></column></columns></tab></tabs>
      <controldescriptions><controldescription forcontrol="{aaaaaaaa-1111-4111-8111-111111111111}">
        <customcontrol id="{E0DECE4B-6FC8-4a8f-A065-082708572369}"><parameters><datafieldname>description</datafieldname></parameters></customcontrol>
        <customcontrol formfactor="0" name="OPENCX_OpenCX.OpenCXTranscriptControl"><parameters><transcript type="Multiple">description</transcript></parameters></customcontrol>
      </controldescription></controldescriptions></form>`;
    expect(placementIn(lower).clients).toEqual(['web']);
  });

  it('ignores other code components on the column, and reports XML it cannot read', () => {
    const other = xml({ transcriptOn: ['web'] }).replaceAll(
      TRANSCRIPT_CONTROL_NAME,
      'contoso_Contoso.RichText',
    );
    expect(placementIn(other).clients).toEqual([]);
    expect(placementIn('<form><tabs>')).toEqual({ readable: false, description: false, clients: [] });
    expect(placementIn('')).toMatchObject({ readable: false });
  });

  it('never expands entities: a DOCTYPE can neither blow up nor rename a column (issue 29)', () => {
    const laughs = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
      .map((name, i, all) => `<!ENTITY ${name} "${i === 0 ? 'lol' : `&${all[i - 1]};`.repeat(10)}">`)
      .join('');
    const form = xml({ transcriptOn: ['web'] });
    const hostile = form
      .replace('<form', `<!DOCTYPE form [${laughs}<!ENTITY field "description">]><form`)
      .replace('datafieldname="description"', 'datafieldname="&field;"')
      .replace('<tabs>', '<tabs><!-- &h; --><label>&h;</label>');
    const placement = placementIn(hostile);
    // Expanded, &h; would be 10^7 × "lol" and &field; would put the control back on Description.
    expect(placement).toMatchObject({ readable: true, description: false, clients: [] });
  });

  it('gives each form a status; an inactive form is not checked', () => {
    const row = (formxml: string, formactivationstate = 1) => ({
      formid: FORM,
      name: 'F',
      formxml,
      formactivationstate,
    });
    expect(resultOf(row(xml({ transcriptOn: ['web', 'tablet', 'phone'] }))).status).toBe('found');
    expect(resultOf(row(xml({ transcriptOn: ['web'] })))).toMatchObject({
      status: 'partial',
      clients: ['web'],
    });
    expect(resultOf(row(xml())).status).toBe('missing');
    expect(resultOf(row(xml({ withoutDescription: true }))).status).toBe('no-description');
    expect(resultOf(row(xml(), 0)).status).toBe('inactive');
    expect(resultOf({ formid: FORM, name: 'Case for multisession experience' }).multisession).toBe(true);
  });
});

describe('verify: the transcript control on the Case forms (sandbox)', () => {
  it('reads the Case main forms with the documented query and reports each form (--json carries them)', async () => {
    const dv = await testSandbox();
    const report = await verify(sandboxEnv(dv.url));
    const check = formsCheck(report);
    expect(check.status).toBe('warn');
    expect(check.forms).toEqual([
      {
        id: SEED_IDS.forms.multisession,
        name: 'Case for Multisession experience',
        multisession: true,
        status: 'found',
        clients: ['web', 'tablet', 'phone'],
      },
      {
        id: SEED_IDS.forms.interactive,
        name: 'Case for Interactive experience',
        multisession: false,
        status: 'missing',
        clients: [],
      },
    ]);
    expect(check.fix).toContain('Get more components');
    expect(check.fix).toContain('Case for Multisession experience');
    // A warning: the relay can still create cases.
    expect(report.ok).toBe(true);
    const read = dv.requests.find((r) => r.path.endsWith('/systemforms'));
    expect(`systemforms${decodeURIComponent(read?.query ?? '')}`).toBe(decodeURIComponent(CASE_FORMS_QUERY));
    expect(decodeURIComponent(read?.query ?? '')).toContain(
      "$filter=objecttypecode eq 'incident' and type eq 2",
    );
    expect(read?.status).toBe(200);
    const text = formatReport(report);
    expect(text).toMatch(/\[WARN\] Transcript on Case forms +1 of 2 active Case main form\(s\)/);
    expect(text).toContain(
      `- "Case for Multisession experience" (${SEED_IDS.forms.multisession}, the default case form of Copilot Service workspace): on web, tablet and phone`,
    );
    expect(text).toContain(
      `- "Case for Interactive experience" (${SEED_IDS.forms.interactive}): the OpenCX transcript control is not on its Description column`,
    );
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('passes when every active form shows the control on every client, and names a partial one', async () => {
    const seed = defaultSeed();
    seed.systemforms = [
      caseForm(SEED_IDS.forms.multisession, 'Case for Multisession experience', ['web', 'tablet', 'phone']),
      {
        ...caseForm(SEED_IDS.forms.interactive, 'Case for Interactive experience', []),
        formactivationstate: 0,
      },
    ];
    const dv = await testSandbox({ seed });
    const passing = formsCheck(await verify(sandboxEnv(dv.url)));
    expect(passing.status).toBe('pass');
    expect(passing.details?.[1]).toContain('inactive form');

    dv.state.put('systemforms', FORM, caseForm(FORM, 'Enhanced full case form', ['web']));
    const partial = formsCheck(await verify(sandboxEnv(dv.url)));
    expect(partial.status).toBe('warn');
    expect(partial.details).toContain(`"Enhanced full case form" (${FORM}): on web; not on tablet, phone`);
  });

  it('says when no form is named "Case for Multisession experience"', async () => {
    const seed = defaultSeed();
    seed.systemforms = [caseForm(FORM, 'Case', ['web', 'tablet', 'phone'])];
    const dv = await testSandbox({ seed });
    const check = formsCheck(await verify(sandboxEnv(dv.url)));
    expect(check.status).toBe('pass');
    expect(check.details?.at(-1)).toContain('No form named "Case for Multisession experience"');
  });

  it('warns with the fix when there is no active Case main form at all', async () => {
    const seed = defaultSeed();
    seed.systemforms = [];
    const dv = await testSandbox({ seed });
    const check = formsCheck(await verify(sandboxEnv(dv.url)));
    expect(check).toMatchObject({
      status: 'warn',
      summary: 'no active main form of the Case table was found',
    });
  });

  it('warns, never fails, when the role cannot read form definitions (prvReadSystemForm)', async () => {
    const dv = await testSandbox({ auth: { missingPrivileges: ['prvReadSystemForm'] } });
    const report = await verify(sandboxEnv(dv.url));
    const check = formsCheck(report);
    expect(check).toMatchObject({ status: 'warn', code: '0x80040220' });
    expect(check.fix).toContain('"OpenCX Handoff Relay" holds prvReadSystemForm');
    expect(check.forms).toBeUndefined();
    expect(report.ok).toBe(true);
  });

  it('is skipped when an earlier check makes it meaningless', async () => {
    const dv = await testSandbox({ auth: { applicationUserExists: false } });
    expect(formsCheck(await verify(sandboxEnv(dv.url))).status).toBe('skip');
  });
});
