/**
 * The supervisor's side of the preview, standing in for a model-driven app that has the OpenCX Insights
 * solution imported: it runs the solution's own saved queries and charts (solution/insights, read through
 * dataverse-sandbox/src/solution-source.ts) against the sandbox with the Web API's fetchXml query option,
 * and reads the grid columns from each view's layoutxml and the chart kinds from each presentation
 * description. Nothing here restates a definition: change the XML and the page follows.
 */
import { XMLParser } from 'fast-xml-parser';
import {
  insightsSolution,
  type Labels,
  type SolutionChart,
  type SolutionView,
} from '../../dataverse-sandbox/src/solution-source.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['cell', 'row', 'Series', 'control'].includes(name),
});
type Node = Record<string, unknown>;
const node = (value: unknown): Node => (value && typeof value === 'object' ? (value as Node) : {});
const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The language the preview shows labels in (the sandbox's user: English). */
export const LANGUAGE = 1033;
export const label = (labels: Labels): string => labels[LANGUAGE] ?? Object.values(labels)[0] ?? '';

export interface GridColumn {
  name: string;
  width: number;
}
export interface GridLayout {
  /** The column whose cell links to the record (layoutxml grid `jump`). */
  jump: string;
  columns: GridColumn[];
}

/** A view's layoutxml: the columns a grid shows, in order, and the one that opens the record. */
export function gridLayout(view: SolutionView): GridLayout {
  const grid = node(node(parser.parse(view.layoutXml)).grid);
  const row = list(grid.row)[0] ?? {};
  return {
    jump: str(grid['@jump']),
    columns: list(row.cell).map((cell) => ({
      name: str(cell['@name']),
      width: Number(cell['@width'] ?? 100),
    })),
  };
}

/** The outermost `<filter>` directly under the fetch's entity, as text (or undefined). */
function entityFilter(fetchXml: string): string | undefined {
  const start = fetchXml.indexOf('<filter');
  const end = fetchXml.lastIndexOf('</filter>');
  return start >= 0 && end > start ? fetchXml.slice(start, end + '</filter>'.length) : undefined;
}

/**
 * The query a chart runs when shown over a view: "a chart shows the records of the view it is displayed
 * with" (Learn, "Create or edit a model-driven app system chart": charts visualise the records of the
 * selected view), so the view's filter joins the chart's own aggregate query.
 */
export function chartOverView(chart: SolutionChart, view: SolutionView): string {
  const viewFilter = entityFilter(view.fetchXml);
  if (!viewFilter) return chart.fetchXml;
  const chartFilter = entityFilter(chart.fetchXml);
  const combined = chartFilter ? `<filter type="and">${viewFilter}${chartFilter}</filter>` : viewFilter;
  const withoutOwn = chartFilter ? chart.fetchXml.replace(chartFilter, '') : chart.fetchXml;
  return withoutOwn.replace('</entity>', `${combined}</entity>`);
}

export interface ChartShape {
  /** MS Chart's ChartType of the first series: Bar (horizontal) or Column (vertical). */
  type: string;
  showValues: boolean;
  /** The first colour of the palette, as CSS `rgb(…)`. */
  color: string;
  /** The data description's category and measure aliases. */
  category: string;
  measure: string;
  /** The category's date grouping, when the chart groups a date by day, month or year. */
  dateGrouping?: string;
  /** The chart's own `last-x-days` window, when it has one. */
  lastDays?: number;
}

export function chartShape(chart: SolutionChart): ChartShape {
  const outer = list(node(node(parser.parse(chart.presentationDescription)).Chart).Series)[0];
  const series = list(node(outer).Series)[0] ?? {};
  const palette = /PaletteCustomColors="([^"]*)"/.exec(chart.presentationDescription)?.[1] ?? '15,108,189';
  const category = /<category alias="([^"]+)"/.exec(chart.dataDescription)?.[1] ?? 'groupby_column';
  const measure = /<measure alias="([^"]+)"/.exec(chart.dataDescription)?.[1] ?? 'aggregate_column';
  const grouping = new RegExp(`<attribute[^>]*alias="${category}"[^>]*>`).exec(chart.fetchXml)?.[0];
  const lastDays = /operator="last-x-days" value="(\d+)"/.exec(chart.fetchXml)?.[1];
  return {
    type: str(series['@ChartType']) || 'Column',
    showValues: str(series['@IsValueShownAsLabel']) === 'True',
    color: `rgb(${palette.split(';')[0].trim()})`,
    category,
    measure,
    dateGrouping: grouping ? /dategrouping="([a-z]+)"/.exec(grouping)?.[1] : undefined,
    lastDays: lastDays === undefined ? undefined : Number(lastDays),
  };
}

export interface DashboardPart {
  kind: 'chart' | 'grid';
  label: string;
  view: SolutionView;
  /** The views a grid's view picker offers (ViewIds), the default first. */
  views: SolutionView[];
  chart?: SolutionChart;
}

const bare = (id: string) => id.replace(/[{}]/g, '').toLowerCase();

/** The dashboard's FormXml: its charts and grids, in reading order, with the views and charts they name. */
export function dashboardParts(): { name: string; description: string; parts: DashboardPart[] } {
  const solution = insightsSolution();
  const dashboard = solution.dashboards[0];
  if (!dashboard) throw new Error('The insights solution has no dashboard.');
  const viewById = (id: string) => {
    const view = solution.views.find((v) => v.id === bare(id));
    if (!view) throw new Error(`The dashboard names a view the solution does not hold: ${id}`);
    return view;
  };
  const cells = [...dashboard.formXml.matchAll(/<cell\b[\s\S]*?<\/cell>/g)].map((m) => m[0]);
  const parts = cells.map((cell): DashboardPart => {
    const param = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(cell)?.[1] ?? '';
    const view = viewById(param('ViewId'));
    const chartId = param('VisualizationId');
    const chart = chartId ? solution.charts.find((c) => c.id === bare(chartId)) : undefined;
    if (chartId && !chart)
      throw new Error(`The dashboard names a chart the solution does not hold: ${chartId}`);
    const views = (param('ViewIds') || param('ViewId')).split(',').map(viewById);
    return {
      kind: param('ChartGridMode') === 'Chart' ? 'chart' : 'grid',
      label: /<label description="([^"]*)" languagecode="1033"/.exec(cell)?.[1] ?? label(view.name),
      view,
      views,
      chart,
    };
  });
  return { name: label(dashboard.name), description: label(dashboard.description), parts };
}

export function viewById(id: string | null | undefined): SolutionView | undefined {
  return id ? insightsSolution().views.find((v) => v.id === bare(id)) : undefined;
}

export function views(): readonly SolutionView[] {
  return insightsSolution().views;
}

/**
 * Column headers: the solution's display names for its columns; for Case's own columns, their display
 * names in the incident table reference (Case Title, Case Number).
 */
export function columnHeader(name: string): string {
  const column = insightsSolution().columns[name];
  if (column) return label(column.displayName);
  return ({ title: 'Case Title', ticketnumber: 'Case Number' } as Record<string, string>)[name] ?? name;
}

/**
 * A day-of-month category in a chart with a last-X-days window, as a date: the only date in the window that
 * falls on that day (the window is shorter than any month, which is why the chart has it).
 */
export function dayInWindow(day: number, now: Date, windowDays: number): Date | undefined {
  for (let back = 0; back <= windowDays; back += 1) {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back));
    if (date.getUTCDate() === day) return date;
  }
  return undefined;
}
