/** The report's stylesheet: readable on a laptop screen, printable on A4/Letter, no web fonts. */
export const REPORT_CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --accent: #b2182b; --bg-soft: #f6f6f8; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--fg); line-height: 1.45; font-size: 15px; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 60px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
p, li { max-width: 80ch; }
.lead { color: var(--muted); margin-top: 0; }
nav.toc { background: var(--bg-soft); padding: 10px 16px; border-radius: 6px; margin: 16px 0; }
nav.toc ol { margin: 4px 0; padding-left: 20px; columns: 2; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin: 16px 0; }
.card { background: var(--bg-soft); border-radius: 6px; padding: 10px 12px; }
.card .v { font-size: 1.35rem; font-weight: bold; }
.card .k { color: var(--muted); font-size: 0.85rem; }
figure.chart { margin: 14px 0 22px; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 6px; max-width: 90ch; }
table { border-collapse: collapse; margin: 10px 0 18px; font-size: 0.88rem; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td code, .snippet { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.82rem; white-space: pre-wrap; word-break: break-all; }
.best { font-weight: bold; color: var(--accent); }
.se { color: var(--muted); font-size: 0.8em; font-weight: normal; }
.note { color: var(--muted); font-size: 0.88rem; }
.missing li { color: var(--muted); }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 0.9rem; }
dl.prov dt { font-weight: bold; }
dl.prov dd { margin: 0; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; word-break: break-all; }
@media (max-width: 700px) { body { padding: 12px; } nav.toc ol { columns: 1; } }
@media print {
  html { font-size: 11pt; }
  body { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure.chart, table, .cards { break-inside: avoid; page-break-inside: avoid; }
  figure.chart { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 14mm; }
`;
