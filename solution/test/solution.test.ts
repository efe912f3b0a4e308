/**
 * Unpacks the solution zips that solution/scripts/pack.mjs builds and checks that they are what Dataverse
 * imports: the root files, well-formed XML, customizations.xml against Microsoft's schema,
 * the control as root component type 66 under the publisher's prefix, Managed 1/0, one version everywhere
 * (four parts in the solution and the zip names, as Dataverse exports them), the package format `pac solution
 * init` writes (9.1), and the security roles as exports carry them and equal to what `opencx-relay verify`
 * checks, with real privilege names.
 *
 * The zips are packed into a temporary folder by the test itself (CI runs `npm run build`, not
 * `npm run solution`); the control is built first only if its output is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPEND_ROLE_NAME,
  RELAY_ROLE_NAME,
  RELAY_ROLES,
  ROUTING_ROLE_NAME,
} from '../../webhook-relay/src/admin/role.js';
import reference from './reference/privileges.json' with { type: 'json' };
import { exceptionsFor, validate, withoutExceptions } from './xsd.js';

const root = path.resolve(import.meta.dirname, '../..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;
const CONTROL = 'opencx_OpenCX.OpenCXTranscriptControl';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['RolePrivilege', 'RootComponent', 'resx', 'Default'].includes(name),
});
type Xml = Record<string, unknown>;

let outDir: string;
const zips: Record<'unmanaged' | 'managed', JSZip> = {} as Record<'unmanaged' | 'managed', JSZip>;
/** The solution's version: the package version and a fourth part, major.minor.build.revision. */
const solutionVersion = `${version}.0`;
/** As Dataverse names an exported solution: OpenCXTranscript_0_1_0_0[_managed].zip. */
const zipNames = {
  unmanaged: `OpenCXTranscript_${solutionVersion.replaceAll('.', '_')}.zip`,
  managed: `OpenCXTranscript_${solutionVersion.replaceAll('.', '_')}_managed.zip`,
};

function pack(into: string) {
  const result = spawnSync(process.execPath, ['solution/scripts/pack.mjs', '--out', into, '--if-missing'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`pack.mjs failed:\n${result.stdout}\n${result.stderr}`);
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'opencx-solution-'));
  pack(outDir);
  for (const flavour of ['unmanaged', 'managed'] as const) {
    zips[flavour] = await JSZip.loadAsync(readFileSync(path.join(outDir, zipNames[flavour])));
  }
}, 180_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const text = async (flavour: 'unmanaged' | 'managed', name: string) => {
  const file = zips[flavour].file(name);
  if (!file) throw new Error(`${name} is not in the ${flavour} zip`);
  return file.async('string');
};
const parsed = async (flavour: 'unmanaged' | 'managed', name: string) =>
  parser.parse(await text(flavour, name)) as Xml;
const manifestOf = (xml: Xml) => (xml.ImportExportXml as Xml).SolutionManifest as Xml;

/** xmllint's verdict against Microsoft's full CustomizationsSolution.xsd (solution/test/xsd.ts). */
const validateWithSchema = (xml: string) => validate(xml, 'CustomizationsSolution.xsd');

/**
 * The published 9.0 schema predates the roles' `isinherited` attribute that every export carries (team
 * member's privilege inheritance, May 2019; solution/schema/newer-than-9.0.json): removed before validating.
 */
const withoutIsInherited = (xml: string) => withoutExceptions(xml, exceptionsFor('OpenCXTranscript'));

describe.each(['unmanaged', 'managed'] as const)('the %s solution zip', (flavour) => {
  it('holds exactly the files Dataverse imports, at the root and under Controls/<prefix>_<namespace>.<name>/', () => {
    const names = Object.keys(zips[flavour].files).filter((name) => !zips[flavour].files[name].dir);
    expect(names.slice(0, 3)).toEqual(['[Content_Types].xml', 'solution.xml', 'customizations.xml']);
    expect(names.slice(3).sort()).toEqual(
      [
        'ControlManifest.xml',
        'bundle.js',
        'strings/OpenCXTranscriptControl.1025.resx',
        'strings/OpenCXTranscriptControl.1033.resx',
        'strings/OpenCXTranscriptControl.1036.resx',
      ].map((file) => `Controls/${CONTROL}/${file}`),
    );
    // Paths use forward slashes: a zip built with backslashes does not import.
    expect(names.every((name) => !name.includes('\\'))).toBe(true);
  });

  it('has well-formed XML in every XML and resx file', async () => {
    for (const name of Object.keys(zips[flavour].files).filter((n) => /\.(?:xml|resx)$/.test(n))) {
      expect(XMLValidator.validate(await text(flavour, name)), name).toBe(true);
    }
  });

  it('declares a content type for every file extension it holds', async () => {
    const types = await parsed(flavour, '[Content_Types].xml');
    const declared = ((types.Types as Xml).Default as Xml[]).map((d) => d['@Extension']);
    const present = new Set(
      Object.keys(zips[flavour].files).map((n) => path.extname(n).slice(1).toLowerCase()),
    );
    for (const ext of present) expect(declared).toContain(ext);
  });

  it(`says Managed ${flavour === 'managed' ? 1 : 0}, carries the package version, and names the role and control as root components`, async () => {
    const manifest = manifestOf(await parsed(flavour, 'solution.xml'));
    expect(manifest.UniqueName).toBe('OpenCXTranscript');
    expect(String(manifest.Managed)).toBe(flavour === 'managed' ? '1' : '0');
    expect(String(manifest.Version)).toBe(solutionVersion);
    expect(String(manifest.Version)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const components = (manifest.RootComponents as Xml).RootComponent as Xml[];
    expect(components).toEqual([
      ...RELAY_ROLES.map((role) => ({ '@type': '20', '@id': `{${role.id}}`, '@behavior': '0' })),
      { '@type': '66', '@schemaName': CONTROL, '@behavior': '0' },
    ]);
  });

  it('uses one publisher prefix for the control, and a valid option-value prefix', async () => {
    const publisher = manifestOf(await parsed(flavour, 'solution.xml')).Publisher as Xml;
    const prefix = String(publisher.CustomizationPrefix);
    expect(prefix).toMatch(/^[a-z][a-z0-9]{1,7}$/);
    expect(prefix.startsWith('mscrm')).toBe(false);
    const optionValuePrefix = Number(publisher.CustomizationOptionValuePrefix);
    expect(
      Number.isInteger(optionValuePrefix) && optionValuePrefix >= 10_000 && optionValuePrefix <= 99_999,
    ).toBe(true);
    expect(CONTROL.startsWith(`${prefix}_`)).toBe(true);
    const control = ((await parsed(flavour, 'customizations.xml')).ImportExportXml as Xml)
      .CustomControls as Xml;
    expect(control.CustomControl).toEqual({
      Name: CONTROL,
      FileName: `/Controls/${CONTROL}/ControlManifest.xml`,
    });
  });

  it('ships the built control: bundle, manifest (same version, same name) and every declared resource', async () => {
    const manifest = await text(flavour, `Controls/${CONTROL}/ControlManifest.xml`);
    const control = ((parser.parse(manifest) as Xml).manifest as Xml).control as Xml;
    expect(`${String(control['@namespace'])}.${String(control['@constructor'])}`).toBe(CONTROL.split('_')[1]);
    expect(control['@version']).toBe(version);
    const resources = control.resources as Xml;
    expect((resources.code as Xml)['@path']).toBe('bundle.js');
    expect((await text(flavour, `Controls/${CONTROL}/bundle.js`)).length).toBeGreaterThan(1000);
    const resx = (resources.resx as Xml[]).map((r) => String(r['@path']));
    expect(resx).toContain('strings/OpenCXTranscriptControl.1033.resx');
    for (const file of resx) expect(zips[flavour].file(`Controls/${CONTROL}/${file}`), file).not.toBeNull();
  });

  it('is written in package format 9.1, as `pac solution init` writes it (9.1 servers import it too)', async () => {
    const root = (await parsed(flavour, 'solution.xml')).ImportExportXml as Xml;
    expect(root['@SolutionPackageVersion']).toBe('9.1');
    expect(root['@version']).toBe('9.1.0.643');
    // Only an export from an organization adds these; a package we write has none.
    const customizations = (await parsed(flavour, 'customizations.xml')).ImportExportXml as Xml;
    for (const name of ['OrganizationVersion', 'OrganizationSchemaType', 'CRMServerServiceabilityVersion'])
      expect(customizations[`@${name}`], name).toBeUndefined();
  });

  it('writes each role as a Dataverse export does: isinherited and IsCustomizable', async () => {
    const roles = [((await parsed(flavour, 'customizations.xml')).ImportExportXml as Xml).Roles as Xml]
      .flatMap((all) => [all.Role].flat() as Xml[])
      .map((role) => ({ isinherited: role['@isinherited'], IsCustomizable: String(role.IsCustomizable) }));
    expect(roles).toEqual([
      { isinherited: '1', IsCustomizable: '1' },
      { isinherited: '1', IsCustomizable: '1' },
      { isinherited: '1', IsCustomizable: '1' },
    ]);
  });

  it("validates customizations.xml against Microsoft's CustomizationsSolution.xsd", async () => {
    const verdict = validateWithSchema(withoutIsInherited(await text(flavour, 'customizations.xml')));
    expect(verdict.output).toContain('validates');
    expect(verdict.ok).toBe(true);
  });
});

describe('the schema check', () => {
  it('catches what Dataverse would refuse: an unknown privilege level, elements out of order', async () => {
    const good = withoutIsInherited(await text('unmanaged', 'customizations.xml'));
    const badLevel = validateWithSchema(good.replace('level="Global"', 'level="Organization"'));
    expect(badLevel.ok).toBe(false);
    expect(badLevel.output).toContain("'Organization' is not an element of the set");
    const outOfOrder = validateWithSchema(
      good.replace('<Entities />', '').replace('<Workflows />', '<Workflows /><Entities />'),
    );
    expect(outOfOrder.ok).toBe(false);
  });
});

describe('one version', () => {
  it('is the root package.json version in the control manifest source, the zips and their names', async () => {
    // The control's manifest takes the three-part semantic version (Learn: "control element", version).
    const input = readFileSync(path.join(root, 'OpenCXTranscriptControl/ControlManifest.Input.xml'), 'utf8');
    expect(/<control\b[^>]*\sversion="([^"]+)"/.exec(input)?.[1]).toBe(version);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(
      readdirSync(outDir)
        .filter((f) => f.startsWith('OpenCXTranscript_'))
        .sort(),
    ).toEqual([zipNames.unmanaged, zipNames.managed].sort());
    expect(zipNames.managed).toMatch(/^OpenCXTranscript_\d+_\d+_\d+_\d+_managed\.zip$/);
    expect(String(manifestOf(await parsed('managed', 'solution.xml')).Version)).toBe(solutionVersion);
  });
});

describe('managed and unmanaged', () => {
  it('differ only in the Managed flag', async () => {
    for (const name of Object.keys(zips.unmanaged.files)) {
      const a = await text('unmanaged', name);
      const b = await text('managed', name);
      if (name === 'solution.xml') expect(b).toBe(a.replace('<Managed>0</Managed>', '<Managed>1</Managed>'));
      else expect(b, name).toBe(a);
    }
  });

  it('are byte-identical when packed again from the same inputs', () => {
    const again = mkdtempSync(path.join(tmpdir(), 'opencx-solution-again-'));
    try {
      pack(again);
      for (const name of Object.values(zipNames)) {
        expect(readFileSync(path.join(again, name)).equals(readFileSync(path.join(outDir, name))), name).toBe(
          true,
        );
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the security roles "OpenCX Handoff Relay", "… - Append" and "… - Routing"', () => {
  const roles = async () => {
    const all = ((await parsed('unmanaged', 'customizations.xml')).ImportExportXml as Xml).Roles as Xml;
    return ([all.Role].flat() as Xml[]).map((role) => ({
      role,
      privileges: ((role.RolePrivileges as Xml).RolePrivilege as Xml[]).map((p) => ({
        name: String(p['@name']),
        depth: String(p['@level']),
      })),
    }));
  };
  /** The roles' privileges together: what a relay that appends and routes holds. */
  const rolePrivileges = async () => ({ privileges: (await roles()).flatMap((r) => r.privileges) });

  it('are exactly the roles `opencx-relay verify` checks (names, ids and depths)', async () => {
    const found = await roles();
    expect(RELAY_ROLES.map((role) => role.name)).toEqual([
      RELAY_ROLE_NAME,
      APPEND_ROLE_NAME,
      ROUTING_ROLE_NAME,
    ]);
    expect(found.map(({ role }) => [role['@name'], role['@id']])).toEqual(
      RELAY_ROLES.map((role) => [role.name, `{${role.id}}`]),
    );
    expect(found.map((r) => r.privileges)).toEqual(
      RELAY_ROLES.map((role) => role.privileges.map((p) => ({ name: p.name, depth: p.depth }))),
    );
  });

  it('uses only real privilege names: prv<Action><Stem> with the stems Dataverse uses (Note, User; no queue item)', async () => {
    const stems = Object.values(reference.stems)
      .map((value) => /^[A-Z]+/i.exec(value)?.[0] ?? '')
      .filter((stem) => stem && stem !== 'none');
    expect(stems).toEqual(expect.arrayContaining(['Incident', 'Contact', 'Queue', 'Note', 'User', 'Team']));
    const real = new RegExp(
      `^prv(Create|Read|Write|Delete|Append|AppendTo|Assign|Share)(${stems.join('|')})$`,
    );
    const { privileges } = await rolePrivileges();
    for (const { name } of privileges) expect(name).toMatch(real);
    // Once per role; prvWriteIncident is in two roles ("- Append" and "- Routing"), since either may be
    // assigned alone.
    for (const role of await roles())
      expect(new Set(role.privileges.map((p) => p.name)).size).toBe(role.privileges.length);
  });

  it('differs from the reference list only where the relay does something else (documented in docs/admin-guide.md)', async () => {
    const [main, append, routing] = await roles();
    const ours = new Set(main.privileges.map((p) => p.name));
    const theirs = new Set(reference.relayRole.map((p) => p.privilege));
    // Added: DEFAULT_OWNER_TEAM_ID lets a team own the cases; `verify` reads the Case forms (prvReadSystemForm).
    expect([...ours].filter((p) => !theirs.has(p)).sort()).toEqual([
      'prvAppendToTeam',
      'prvReadSystemForm',
      'prvReadTeam',
    ]);
    // Left out of the main role: updating a case and reading notes back, which only post-handoff append
    // and the routing modes do (the second and third roles hold them), and account customers, which the
    // relay never binds.
    expect([...theirs].filter((p) => !ours.has(p)).sort()).toEqual([
      'prvAppendToAccount',
      'prvReadAccount',
      'prvReadNote',
      'prvWriteIncident',
    ]);
    // The append role adds Write on the note, which the reference list (written before append) lacks.
    const appendOnly = append.privileges.map((p) => p.name).filter((p) => !theirs.has(p));
    expect(appendOnly).toEqual(['prvWriteNote']);
    // The routing role is Write on cases alone, which the reference list has (for append).
    expect(routing.privileges.map((p) => p.name)).toEqual(['prvWriteIncident']);
  });
});
