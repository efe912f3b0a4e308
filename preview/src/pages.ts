/** The preview's two HTML pages. Everything interpolated is escaped. */

export const escape = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export const STYLE = `
  body { font-family: "Segoe UI", system-ui, sans-serif; margin: 0; background: #f5f5f5; color: #242424; }
  body[data-theme="dark"] { background: #1f1f1f; color: #fff; }
  body[data-theme="high-contrast"] { background: #000; color: #fff; }
  header { padding: 12px 24px; background: #0f6cbd; color: #fff; }
  header a { color: #fff; }
  main { max-width: 1000px; margin: 0 auto; padding: 16px 24px; }
  .form { background: inherit; padding: 16px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: start; padding: 8px 12px; border-bottom: 1px solid #e0e0e0; }
  .label { font-weight: 600; margin: 0 0 8px; }
  @media (max-width: 600px) { main { padding: 8px; } }
`;

export interface CaseRow {
  incidentid: string;
  title?: string;
  ticketnumber?: string;
  createdon?: string;
}

export function caseListPage(rows: CaseRow[]): string {
  const body = rows.length
    ? `<table><thead><tr><th>Case</th><th>Title</th><th>Created</th></tr></thead><tbody>${rows
        .map(
          (r) =>
            `<tr><td>${escape(r.ticketnumber ?? '')}</td><td><a href="/case/${escape(r.incidentid)}">${escape(
              r.title ?? r.incidentid,
            )}</a></td><td>${escape((r.createdon ?? '').replace('T', ' ').slice(0, 16))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No cases yet. Send a handoff to the relay and reload.</p>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenCX cases · preview</title><style>${STYLE}</style></head>
<body><header><strong>Customer Service · Voice queue</strong> (preview against the Dataverse sandbox)</header>
<main><h1>Cases</h1>${body}
<p>Each case opens the transcript control as a rep sees it on the Case form. Try <code>?lang=1036</code>, <code>?lang=1025</code>, <code>?theme=dark</code>, <code>?theme=high-contrast</code> on a case.</p></main></body></html>`;
}

export function casePage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Case · OpenCX preview</title><style>${STYLE}</style></head>
<body><header><a href="/">← Cases</a> · <span id="case-title"></span></header>
<main class="form"><p class="label">Description</p><div id="control"></div></main>
<script src="/build/host.js"></script>
<script src="/control/bundle.js"></script>
<script>OpenCXPreview.bootCasePage(document.getElementById('control')).catch(function (e) {
  document.getElementById('control').textContent = 'Preview failed: ' + e; });</script>
</body></html>`;
}

/** A blank page with the host and the control loaded, for benchmarks and tests that render by hand. */
export function blankPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body>
<script src="/build/host.js"></script><script src="/control/bundle.js"></script></body></html>`;
}
