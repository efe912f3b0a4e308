/**
 * The preview's supervisor pages: the OpenCX handoffs views as a grid (the case list) and the OpenCX handoffs
 * dashboard (three charts and the grid). Server-rendered HTML; every chart is an SVG drawing for the eye and
 * a data table for everyone (the drawing is aria-hidden, the table is the accessible alternative).
 */
import { escape, STYLE } from './pages.js';
import type { ChartShape, GridLayout } from './insights.js';

export type Row = Record<string, unknown>;

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

const INSIGHTS_STYLE = `
  nav.views { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0 16px; }
  nav.views a[aria-current="page"] { font-weight: 700; text-decoration: none; color: inherit; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
  figure { margin: 0; background: #fff; padding: 12px; border: 1px solid #e0e0e0; }
  figcaption { font-weight: 600; margin-bottom: 8px; }
  figure table { font-size: 14px; margin-top: 8px; }
  figure td.count, figure th.count { text-align: end; }
  .empty { color: #616161; }
  caption { text-align: start; font-weight: 600; padding: 8px 0; }
`;

/** A cell's text: a choice's label, a date and time in the user's time zone (UTC here), or the value. */
function cellText(row: Row, column: string): string {
  const formatted = row[`${column}${FORMATTED}`];
  if (typeof formatted === 'string') return formatted;
  const value = row[column];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value))
    return `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface GridModel {
  caption: string;
  layout: GridLayout;
  headers: Record<string, string>;
  rows: Row[];
  primaryKey: string;
}

export function grid(model: GridModel): string {
  if (!model.rows.length)
    return `<p class="empty">No records in <strong>${escape(model.caption)}</strong>.</p>`;
  const head = model.layout.columns
    .map((c) => `<th scope="col">${escape(model.headers[c.name] ?? c.name)}</th>`)
    .join('');
  const body = model.rows
    .map((row) => {
      const cells = model.layout.columns.map((c) => {
        const text = escape(cellText(row, c.name));
        if (c.name !== model.layout.jump) return `<td>${text}</td>`;
        return `<td><a href="/case/${escape(String(row[model.primaryKey]))}">${text}</a></td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table><caption>${escape(model.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export interface ViewLink {
  name: string;
  href: string;
  current: boolean;
}

export function viewPicker(links: ViewLink[]): string {
  return `<nav class="views" aria-label="Views">${links
    .map((l) => `<a href="${escape(l.href)}"${l.current ? ' aria-current="page"' : ''}>${escape(l.name)}</a>`)
    .join('')}</nav>`;
}

/** An axis label short enough for the drawing. */
const short = (text: string) => (text.length > 22 ? `${text.slice(0, 21)}…` : text);

export interface ChartPoint {
  label: string;
  value: number;
}

/** An SVG bar or column chart of `points` (aria-hidden), and the same data as a table. */
export function chart(id: string, name: string, shape: ChartShape, points: ChartPoint[]): string {
  const caption = `<figcaption id="${id}-caption">${escape(name)}</figcaption>`;
  if (!points.length)
    return `<figure aria-labelledby="${id}-caption">${caption}<p class="empty">No handoffs to count.</p></figure>`;
  const max = Math.max(...points.map((p) => p.value), 1);
  const width = 320;
  const height = 200;
  const bars = points.map((point, i) => {
    const title = `<title>${escape(point.label)}: ${point.value}</title>`;
    if (shape.type === 'Bar') {
      // Horizontal bars: labels on the left (shortened; the table and the tooltip hold them whole), values after.
      const band = height / points.length;
      const length = ((width - 170) * point.value) / max;
      const y = i * band + band * 0.15;
      return `<g>${title}<text x="140" y="${y + band * 0.45}" text-anchor="end" font-size="11">${escape(short(point.label))}</text><rect x="146" y="${y}" width="${length}" height="${band * 0.7}" fill="${shape.color}" />${shape.showValues ? `<text x="${150 + length}" y="${y + band * 0.45}" font-size="11">${point.value}</text>` : ''}</g>`;
    }
    const band = width / points.length;
    const length = ((height - 40) * point.value) / max;
    const x = i * band + band * 0.15;
    return `<g>${title}<rect x="${x}" y="${height - 20 - length}" width="${band * 0.7}" height="${length}" fill="${shape.color}" />${shape.showValues ? `<text x="${x + band * 0.35}" y="${height - 24 - length}" text-anchor="middle" font-size="11">${point.value}</text>` : ''}<text x="${x + band * 0.35}" y="${height - 6}" text-anchor="middle" font-size="10">${escape(short(point.label))}</text></g>`;
  });
  const svg = `<svg viewBox="0 0 ${width} ${height}" width="100%" aria-hidden="true" focusable="false" data-chart-type="${escape(shape.type)}">${bars.join('')}</svg>`;
  const rows = points
    .map((p) => `<tr><th scope="row">${escape(p.label)}</th><td class="count">${p.value}</td></tr>`)
    .join('');
  const table = `<table aria-labelledby="${id}-caption"><thead><tr><th scope="col">Value</th><th scope="col" class="count">Handoffs</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<figure aria-labelledby="${id}-caption" data-chart="${escape(id)}">${caption}${svg}${table}</figure>`;
}

function page(title: string, header: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · OpenCX preview</title><style>${STYLE}${INSIGHTS_STYLE}</style></head>
<body><header>${header}</header><main>${content}</main></body></html>`;
}

const NAV = `<strong>Customer Service · Voice queue</strong> (preview against the Dataverse sandbox) · <a href="/">Cases</a> · <a href="/dashboard">Supervisor dashboard</a>`;

export interface HandoffsPageModel {
  viewName: string;
  viewDescription: string;
  picker: ViewLink[];
  grid: GridModel;
  /** Cases whose OpenCX handoff columns are empty (created before the insights, or by something else). */
  without: Array<{ incidentid: string; title?: string }>;
}

export function handoffsPage(model: HandoffsPageModel): string {
  const without = model.without.length
    ? `<section aria-labelledby="without"><h2 id="without">Cases without OpenCX handoff data</h2>
<p>${model.without.length} case${model.without.length === 1 ? ' has' : 's have'} no OpenCX handoff columns (created before the OpenCX Insights solution was imported, or not by the relay), so no OpenCX view lists ${model.without.length === 1 ? 'it' : 'them'}: <code>opencx-relay insights backfill</code> fills them from the case description.</p>
<ul>${model.without.map((c) => `<li><a href="/case/${escape(c.incidentid)}">${escape(c.title ?? c.incidentid)}</a></li>`).join('')}</ul></section>`
    : '';
  return page(
    model.viewName,
    NAV,
    `<h1>${escape(model.viewName)}</h1><p>${escape(model.viewDescription)}</p>${viewPicker(model.picker)}${grid(model.grid)}${without}
<p>Each case opens the transcript control as a rep sees it on the Case form. Try <code>?lang=1036</code>, <code>?lang=1025</code>, <code>?theme=dark</code>, <code>?theme=high-contrast</code> on a case.</p>`,
  );
}

export interface DashboardPageModel {
  name: string;
  description: string;
  charts: string[];
  gridTitle: string;
  picker: ViewLink[];
  grid: GridModel;
}

export function dashboardPage(model: DashboardPageModel): string {
  return page(
    model.name,
    NAV,
    `<h1>${escape(model.name)}</h1><p>${escape(model.description)}</p>
<section aria-label="Charts" class="charts">${model.charts.join('')}</section>
<section aria-labelledby="grid-title"><h2 id="grid-title">${escape(model.gridTitle)}</h2>${viewPicker(model.picker)}${grid(model.grid)}</section>`,
  );
}

/** The preview before the insights are imported: the plain list of cases. */
export function notInstalledNote(): string {
  return `<p>The OpenCX Insights solution is not imported in this org, so there are no OpenCX handoffs views: every case is listed below.</p>`;
}
