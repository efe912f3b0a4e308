/**
 * Reads the project's own OpenCX Insights solution source (solution/insights/Other/Customizations.xml): the
 * columns it adds to Case, its system views, charts and dashboard. The sandbox serves the columns when the
 * org has the insights "imported" (SandboxOrg.insights), and the preview renders the views and charts from
 * the same definitions, so what the zip ships is what the demo and its tests run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

/** The languages the solution's labels come in (English, French, Arabic), by LCID. */
export type Labels = Readonly<Record<number, string>>;

export interface SolutionColumn {
  logicalName: string;
  /** The export's `<Type>`: nvarchar, datetime, picklist, int. */
  type: string;
  displayName: Labels;
  description: Labels;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  /** `<Behavior>` of a date and time column: 1 user local, 2 date only, 3 time-zone independent. */
  dateTimeBehavior?: number;
  format?: string;
  /** A choice's options, in the order the solution lists them. */
  options?: ReadonlyArray<{ value: number; label: Labels }>;
  optionSetName?: string;
}

export interface SolutionView {
  id: string;
  name: Labels;
  description: Labels;
  fetchXml: string;
  layoutXml: string;
  isDefault: boolean;
}

export interface SolutionChart {
  id: string;
  name: Labels;
  description: Labels;
  dataDescription: string;
  /** The data description's query: its (first) `<fetch>` element, as the chart sends it. */
  fetchXml: string;
  presentationDescription: string;
}

export interface SolutionDashboard {
  id: string;
  name: Labels;
  description: Labels;
  formXml: string;
}

export interface InsightsSolution {
  /** The Case (incident) columns, by logical name. */
  columns: Readonly<Record<string, SolutionColumn>>;
  views: readonly SolutionView[];
  charts: readonly SolutionChart[];
  dashboards: readonly SolutionDashboard[];
}

/** Where the solution source lives, from src/ (tests, tsx) and dist/ (the built package) alike. */
export const INSIGHTS_CUSTOMIZATIONS = fileURLToPath(
  new URL('../../solution/insights/Other/Customizations.xml', import.meta.url),
);

type Node = Record<string, unknown>;
const LISTS = new Set([
  'Entity',
  'attribute',
  'option',
  'label',
  'displayname',
  'Description',
  'LocalizedName',
  'savedquery',
  'visualization',
  'Dashboard',
]);

/** Elements whose content is XML kept as text (FetchXML, layout, chart and form XML). */
const XML_VALUES = ['fetchxml', 'layoutxml', 'datadescription', 'presentationdescription', 'FormXml'];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
  stopNodes: XML_VALUES.map((name) => `*.${name}`),
});

const node = (value: unknown): Node => (value && typeof value === 'object' ? (value as Node) : {});
const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
const numberOf = (value: unknown): number | undefined => {
  const raw = text(value);
  return raw === undefined || raw === '' ? undefined : Number(raw);
};

/** `<displaynames><displayname description languagecode/></displaynames>` and its kin → LCID → text. */
function labels(container: unknown, element: string): Labels {
  const out: Record<number, string> = {};
  for (const entry of list(node(container)[element])) {
    out[Number(entry['@languagecode'])] = text(entry['@description']) ?? '';
  }
  return out;
}

function column(attribute: Node): SolutionColumn {
  const optionSet = node(attribute.optionset);
  const options = list(node(optionSet.options).option).map((option) => ({
    value: Number(option['@value']),
    label: labels(option.labels, 'label'),
  }));
  return {
    logicalName: String(attribute.LogicalName),
    type: String(attribute.Type),
    displayName: labels(attribute.displaynames, 'displayname'),
    description: labels(attribute.Descriptions, 'Description'),
    maxLength: numberOf(attribute.MaxLength),
    minValue: numberOf(attribute.MinValue),
    maxValue: numberOf(attribute.MaxValue),
    dateTimeBehavior: numberOf(attribute.Behavior),
    format: text(attribute.Format),
    options: options.length ? options : undefined,
    optionSetName: text(optionSet['@Name']),
  };
}

/** A GUID as solution XML writes it (`{…}`), as the Web API and the preview use it (bare, lower case). */
const bareId = (value: unknown) => (text(value) ?? '').replace(/[{}]/g, '').toLowerCase();

export function parseInsightsSolution(xml: string): InsightsSolution {
  const root = node(node(parser.parse(xml)).ImportExportXml);
  const incident = list(node(root.Entities).Entity).find(
    (entity) => String(node(entity.Name)['#text'] ?? entity.Name).toLowerCase() === 'incident',
  );
  if (!incident) throw new Error('The insights solution has no Case (Incident) entity.');
  const attributes = list(node(node(node(incident.EntityInfo).entity).attributes).attribute);
  const columns = Object.fromEntries(attributes.map((a) => [String(a.LogicalName), column(a)]));
  const views = list(node(node(incident.SavedQueries).savedqueries).savedquery).map((view) => ({
    id: bareId(view.savedqueryid),
    name: labels(view.LocalizedNames, 'LocalizedName'),
    description: labels(view.Descriptions, 'Description'),
    fetchXml: text(view.fetchxml) ?? '',
    layoutXml: text(view.layoutxml) ?? '',
    isDefault: text(view.isdefault) === '1',
  }));
  const charts = list(node(incident.Visualizations).visualization).map((chart) => ({
    id: bareId(chart.savedqueryvisualizationid),
    name: labels(chart.LocalizedNames, 'LocalizedName'),
    description: labels(chart.Descriptions, 'Description'),
    dataDescription: text(chart.datadescription) ?? '',
    fetchXml: /<fetch[\s>/][\s\S]*?<\/fetch>/.exec(text(chart.datadescription) ?? '')?.[0] ?? '',
    presentationDescription: text(chart.presentationdescription) ?? '',
  }));
  const dashboards = list(node(root.Dashboards).Dashboard).map((dashboard) => ({
    id: bareId(dashboard.FormId),
    name: labels(dashboard.LocalizedNames, 'LocalizedName'),
    description: labels(dashboard.Descriptions, 'Description'),
    formXml: text(dashboard.FormXml) ?? '',
  }));
  return { columns, views, charts, dashboards };
}

let cached: InsightsSolution | undefined;

/** The insights solution as the repository holds it (read once per process). */
export function insightsSolution(): InsightsSolution {
  cached ??= parseInsightsSolution(readFileSync(INSIGHTS_CUSTOMIZATIONS, 'utf8'));
  return cached;
}
