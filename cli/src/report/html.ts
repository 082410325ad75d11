/**
 * The page: one self-contained HTML document with the ECharts library, the chart options and the
 * page script inlined, so it opens offline and loads nothing. Every string from data is escaped.
 */
import { readFileSync } from 'node:fs';
import { CLIENT_SCRIPT } from './client';
import { escapeHtml, formatNumber, jsonForScript } from './format';
import type { ChartSpec, KeyNumber, ReportData, Section, TableSpec } from './types';

/** The minified ECharts build, from node_modules (the exact version package.json pins). */
export function echartsSource(): string {
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
}

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
body { margin: 0; background: #f6f8fa; }
header { background: #0b3d5c; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .85; font-size: 14px; }
nav { margin-top: 8px; font-size: 14px; } nav a { color: #cde7ff; margin-right: 14px; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; margin: 20px 0; padding: 16px 20px; }
section h2 { margin: 0 0 4px; font-size: 19px; } .intro { margin: 0 0 12px; color: #57606a; font-size: 14px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
.kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.kpi .value { font-size: 22px; font-weight: 600; } .kpi .label { font-size: 12px; color: #57606a; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; } section > figure { margin-top: 16px; } figcaption { font-size: 14px; font-weight: 600; margin-bottom: 4px; }
.source { font-weight: 400; color: #57606a; font-size: 12px; }
.chart { height: 300px; }
.no-data { color: #57606a; font-style: italic; padding: 24px 0; }
.table-wrap { max-height: 420px; overflow: auto; margin-top: 4px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { white-space: normal; vertical-align: bottom; position: sticky; top: 0; background: #f6f8fa; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
.notes { font-size: 12px; color: #57606a; margin: 12px 0 0; padding-left: 18px; }
`;

function keyNumber(k: KeyNumber): string {
  const unit = k.unit ? ` ${escapeHtml(k.unit)}` : '';
  return `<div class="kpi" data-key="${escapeHtml(k.key)}" data-value="${k.value ?? ''}"><div class="value">${escapeHtml(formatNumber(k.value, k.format))}${unit}</div><div class="label">${escapeHtml(k.label)}</div></div>`;
}

const caption = (title: string, source: string): string =>
  `<figcaption>${escapeHtml(title)} <span class="source">(${escapeHtml(source)})</span></figcaption>`;

function chart(c: ChartSpec): string {
  const body = c.option
    ? `<div class="chart" id="chart-${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}"></div>`
    : '<p class="no-data">No data in this range.</p>';
  return `<figure>${caption(c.title, c.source)}${body}</figure>`;
}

function table(t: TableSpec): string {
  if (t.rows.length === 0)
    return `<figure>${caption(t.title, t.source)}<p class="no-data">No data in this range.</p></figure>`;
  const head = t.columns
    .map((c) => `<th${c.format ? ' class="num"' : ''} scope="col">${escapeHtml(c.label)}</th>`)
    .join('');
  const rows = t.rows
    .map((row) => {
      const cells = t.columns.map((c) => {
        const value = row[c.name];
        const raw = value === null || value === undefined ? '' : String(value);
        return `<td${c.format ? ' class="num"' : ''} data-value="${escapeHtml(raw)}">${escapeHtml(formatNumber(value, c.format))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<figure>${caption(t.title, t.source)}<div class="table-wrap"><table class="sortable" id="table-${escapeHtml(t.id)}"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div></figure>`;
}

function section(s: Section, range: string): string {
  const title = `<h2>${escapeHtml(s.title)}</h2><p class="intro">${escapeHtml(s.intro)}</p>`;
  if (s.empty)
    return `<section id="${s.id}" data-empty="true">${title}<p class="no-data">No data for ${escapeHtml(range)}.</p></section>`;
  const charts = s.charts.length ? `<div class="grid">${s.charts.map(chart).join('')}</div>` : '';
  const notes = s.notes?.length
    ? `<ul class="notes">${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  return `<section id="${s.id}">${title}<div class="kpis">${s.keyNumbers.map(keyNumber).join('')}</div>${charts}${s.tables.map(table).join('')}${notes}</section>`;
}

/** The whole page. `generatedAt` is shown, so two runs on the same lake differ only there. */
export function renderReport(
  data: ReportData,
  sections: Section[],
  generatedAt: Date,
  library = echartsSource(),
): string {
  const range = `${data.start} to ${data.end}`;
  const options = Object.fromEntries(
    sections.flatMap((s) => (s.empty ? [] : s.charts)).flatMap((c) => (c.option ? [[c.id, c.option]] : [])),
  );
  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>engagement-lake report, ${escapeHtml(range)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>engagement-lake report</h1><p>${escapeHtml(range)} (UTC days) · ${escapeHtml(data.source)} · generated ${escapeHtml(generatedAt.toISOString())} · every number comes from a saved query: <code>engagement-lake query &lt;name&gt; --param start=${escapeHtml(data.start)} --param end=${escapeHtml(data.end)}</code></p><nav>${nav}</nav></header>
<main>
${sections.map((s) => section(s, range)).join('\n')}
</main>
<script type="application/json" id="chart-options">${jsonForScript(options)}</script>
<script>${library.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
