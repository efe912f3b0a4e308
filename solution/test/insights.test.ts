/**
 * The OpenCX Insights solution as solution/scripts/pack.mjs zips it: what Dataverse imports (root files,
 * the manifest, the same publisher as OpenCX Transcript), Case included as a shell so that nothing of Case's
 * own comes with it, every part valid against Microsoft's schemas (customizations.xml, each view's FetchXML,
 * each chart's data description and its FetchXML, the dashboard's FormXml), and every reference between the
 * parts resolving inside the solution.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEGATIVE_SENTIMENTS, SENTIMENT_AT_HANDOFF } from '../../webhook-relay/src/insights/columns.js';
import { exceptionsFor, validate, withoutExceptions } from './xsd.js';

const root = path.resolve(import.meta.dirname, '../..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;
const solutionVersion = `${version}.0`;
const zipNames = {
  unmanaged: `OpenCXInsights_${solutionVersion.replaceAll('.', '_')}.zip`,
  managed: `OpenCXInsights_${solutionVersion.replaceAll('.', '_')}_managed.zip`,
};
const EXCEPTIONS = exceptionsFor('OpenCXInsights');

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) =>
    ['RootComponent', 'Entity', 'attribute', 'savedquery', 'visualization', 'Dashboard', 'cell'].includes(
      name,
    ),
});
type Xml = Record<string, unknown>;

let outDir: string;
const zips = {} as Record<'unmanaged' | 'managed', JSZip>;

function pack(into: string) {
  const result = spawnSync(
    process.execPath,
    ['solution/scripts/pack.mjs', '--out', into, '--only', 'insights'],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`pack.mjs failed:\n${result.stdout}\n${result.stderr}`);
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'opencx-insights-'));
  pack(outDir);
  for (const flavour of ['unmanaged', 'managed'] as const)
    zips[flavour] = await JSZip.loadAsync(readFileSync(path.join(outDir, zipNames[flavour])));
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const text = async (flavour: 'unmanaged' | 'managed', name: string) => {
  const file = zips[flavour].file(name);
  if (!file) throw new Error(`${name} is not in the ${flavour} zip`);
  return file.async('string');
};
const manifestOf = async (flavour: 'unmanaged' | 'managed') =>
  ((parser.parse(await text(flavour, 'solution.xml')) as Xml).ImportExportXml as Xml).SolutionManifest as Xml;
const customizations = async () =>
  (parser.parse(await text('unmanaged', 'customizations.xml')) as Xml).ImportExportXml as Xml;
const incident = async () => ((await customizations()).Entities as Xml).Entity as Xml[];

/** Each `<tag …>…</tag>` element of `xml`, outermost, as text. */
const elements = (xml: string, tag: string, nested = `${tag}`) =>
  [...xml.matchAll(new RegExp(`<${nested}(?=[\\s>/])[\\s\\S]*?</${tag}>`, 'g'))].map((m) => m[0]);

describe.each(['unmanaged', 'managed'] as const)('the %s OpenCX Insights zip', (flavour) => {
  it('holds exactly what Dataverse imports: [Content_Types].xml, solution.xml, customizations.xml', async () => {
    const names = Object.keys(zips[flavour].files);
    expect(names).toEqual(['[Content_Types].xml', 'solution.xml', 'customizations.xml']);
    for (const name of names) expect(XMLValidator.validate(await text(flavour, name)), name).toBe(true);
  });

  it(`is OpenCXInsights ${solutionVersion}, Managed ${flavour === 'managed' ? 1 : 0}, in package format 9.1`, async () => {
    const manifest = await manifestOf(flavour);
    expect(manifest.UniqueName).toBe('OpenCXInsights');
    expect(String(manifest.Version)).toBe(solutionVersion);
    expect(String(manifest.Managed)).toBe(flavour === 'managed' ? '1' : '0');
    const rootElement = (parser.parse(await text(flavour, 'solution.xml')) as Xml).ImportExportXml as Xml;
    expect([rootElement['@version'], rootElement['@SolutionPackageVersion']]).toEqual(['9.1.0.643', '9.1']);
  });

  it('has the OpenCX Transcript solution’s publisher, to the letter (prefix opencx, option values 67263…)', async () => {
    const publisher = (xml: string) => /<Publisher>[\s\S]*<\/Publisher>/.exec(xml)?.[0];
    const transcript = readFileSync(path.join(root, 'solution/src/Other/Solution.xml'), 'utf8');
    expect(publisher(await text(flavour, 'solution.xml'))).toBe(publisher(transcript));
  });

  it('names Case as a shell (type 1, behavior 2) and the dashboard (type 60) as its only root components', async () => {
    const components = ((await manifestOf(flavour)).RootComponents as Xml).RootComponent as Xml[];
    const dashboard = (((await customizations()).Dashboards as Xml).Dashboard as Xml[])[0];
    expect(components).toEqual([
      { '@type': '1', '@schemaName': 'incident', '@behavior': '2' },
      { '@type': '60', '@id': String(dashboard.FormId), '@behavior': '0' },
    ]);
  });

  it("validates customizations.xml against Microsoft's CustomizationsSolution.xsd", async () => {
    const verdict = validate(
      withoutExceptions(await text(flavour, 'customizations.xml'), EXCEPTIONS),
      'CustomizationsSolution.xsd',
    );
    expect(verdict.output).toContain('validates');
    expect(verdict.ok).toBe(true);
  });
});

describe('Case, included as a shell', () => {
  it('brings only the columns, views and charts this solution defines: no table properties, forms or ribbon', async () => {
    const [entity, ...others] = await incident();
    expect(others).toEqual([]);
    expect((entity.Name as Xml)['#text']).toBe('Incident');
    const info = (entity.EntityInfo as Xml).entity as Xml;
    // Exports of a table without "Include table metadata" hold its columns and nothing else.
    expect(Object.keys(info).sort()).toEqual(['@Name', 'attributes']);
    expect(entity.FormXml).toBe('');
    expect(entity.RibbonDiffXml).toBe('');
  });

  it('defines only new columns, each under the publisher prefix: no column of Case itself is redefined', async () => {
    const [entity] = await incident();
    const attributes = (((entity.EntityInfo as Xml).entity as Xml).attributes as Xml).attribute as Xml[];
    for (const attribute of attributes) {
      expect(String(attribute.LogicalName)).toMatch(/^opencx_/);
      expect(String(attribute.IsCustomField)).toBe('1');
    }
  });
});

describe("each part against Microsoft's schemas", () => {
  const source = () => readFileSync(path.join(root, 'solution/insights/Other/Customizations.xml'), 'utf8');

  it('each view’s FetchXML validates against Fetch.xsd', () => {
    const fetches = elements(source(), 'fetchxml').map((f) => elements(f, 'fetch')[0]);
    expect(fetches).toHaveLength(2);
    for (const fetch of fetches) expect(validate(fetch, 'Fetch.xsd')).toMatchObject({ ok: true });
  });

  it('each chart’s data description validates against VisualizationDataDescription.xsd, and its FetchXML against Fetch.xsd', () => {
    const descriptions = elements(source(), 'datadefinition');
    expect(descriptions).toHaveLength(3);
    for (const description of descriptions) {
      expect(validate(description, 'VisualizationDataDescription.xsd')).toMatchObject({ ok: true });
      expect(validate(elements(description, 'fetch')[0], 'Fetch.xsd')).toMatchObject({ ok: true });
    }
  });

  it('the dashboard’s FormXml validates against FormXml.xsd', () => {
    const forms = elements(source(), 'form');
    expect(forms).toHaveLength(1);
    expect(validate(forms[0], 'FormXml.xsd')).toMatchObject({ ok: true });
  });

  it('catches what Dataverse would refuse: an unknown operator, a measure without alias, a bad cell span', () => {
    const view = elements(elements(source(), 'fetchxml')[0], 'fetch')[0];
    const badOperator = validate(view.replace('operator="not-null"', 'operator="is-set"'), 'Fetch.xsd');
    expect(badOperator.ok).toBe(false);
    const description = elements(source(), 'datadefinition')[0];
    expect(
      validate(
        description.replace('<measure alias="aggregate_column" />', '<measure />'),
        'VisualizationDataDescription.xsd',
      ).ok,
    ).toBe(false);
    const form = elements(source(), 'form')[0];
    expect(validate(form.replace('colspan="3"', 'colspan="three"'), 'FormXml.xsd').ok).toBe(false);
  });

  it.each(EXCEPTIONS.map((e) => [e.element, e] as const))(
    'still needs and still uses the exception for %s (newer than the 9.0 schema)',
    (element, exception) => {
      const xml = source().replace(/<!--[\s\S]*?-->/g, '');
      expect(new RegExp(exception.remove).test(xml)).toBe(true);
      const others = EXCEPTIONS.filter((e) => e !== exception);
      const verdict = validate(withoutExceptions(xml, others), 'CustomizationsSolution.xsd');
      expect(verdict.ok).toBe(false);
      expect(verdict.output).toContain(element);
    },
  );
});

describe('references between the parts', () => {
  it('the dashboard shows this solution’s charts over its views, and its grid offers both views', async () => {
    const parts = await customizations();
    const [entity] = await incident();
    const views = (((entity.SavedQueries as Xml).savedqueries as Xml).savedquery as Xml[]).map((v) =>
      String(v.savedqueryid).toLowerCase(),
    );
    const charts = ((entity.Visualizations as Xml).visualization as Xml[]).map((c) =>
      String(c.savedqueryvisualizationid).toLowerCase(),
    );
    const form = elements(await text('unmanaged', 'customizations.xml'), 'form')[0];
    const param = (cell: string, name: string) =>
      new RegExp(`<${name}>([^<]*)</${name}>`).exec(cell)?.[1]?.toLowerCase() ?? '';
    const cells = elements(form, 'cell');
    expect(cells).toHaveLength(4);
    const shown = cells.map((cell) => ({
      mode: param(cell, 'ChartGridMode'),
      view: param(cell, 'ViewId'),
      chart: param(cell, 'VisualizationId'),
      views: param(cell, 'ViewIds').split(','),
      entity: param(cell, 'TargetEntityType'),
    }));
    expect(shown.map((s) => s.mode)).toEqual(['chart', 'chart', 'chart', 'grid']);
    expect(shown.filter((s) => s.mode === 'chart').map((s) => s.chart)).toEqual(charts);
    for (const s of shown) {
      expect(views).toContain(s.view);
      expect(s.entity).toBe('incident');
      for (const v of s.views) expect(views).toContain(v);
    }
    expect(shown[3].views).toEqual(views);
    expect(parts.Dashboards).toBeDefined();
  });

  it('each view’s layout shows only columns its query reads, and the negative view counts exactly NEGATIVE_SENTIMENTS', () => {
    const xml = readFileSync(path.join(root, 'solution/insights/Other/Customizations.xml'), 'utf8');
    const queries = elements(xml, 'savedquery');
    for (const query of queries) {
      const read = [...query.matchAll(/<attribute name="([a-z_]+)" \/>/g)].map((m) => m[1]);
      const shown = [...query.matchAll(/<cell name="([a-z_]+)"/g)].map((m) => m[1]);
      for (const column of shown) expect(read).toContain(column);
    }
    const negative = queries.find((q) => q.includes('negative sentiment'))!;
    const values = [...negative.matchAll(/<value>(\d+)<\/value>/g)].map((m) => Number(m[1]));
    expect(values).toEqual(NEGATIVE_SENTIMENTS.map((code) => SENTIMENT_AT_HANDOFF.options[code]));
  });
});

describe('managed and unmanaged OpenCX Insights', () => {
  it('differ only in the Managed flag, and are byte-identical when packed again', async () => {
    for (const name of Object.keys(zips.unmanaged.files)) {
      const a = await text('unmanaged', name);
      const b = await text('managed', name);
      if (name === 'solution.xml') expect(b).toBe(a.replace('<Managed>0</Managed>', '<Managed>1</Managed>'));
      else expect(b, name).toBe(a);
    }
    const again = mkdtempSync(path.join(tmpdir(), 'opencx-insights-again-'));
    try {
      pack(again);
      expect(readdirSync(again).sort()).toEqual(Object.values(zipNames).sort());
      for (const name of Object.values(zipNames))
        expect(readFileSync(path.join(again, name)).equals(readFileSync(path.join(outDir, name))), name).toBe(
          true,
        );
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});
