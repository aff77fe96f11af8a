#!/usr/bin/env node
// Turns curve.js results into the markdown tables of docs/completion-beyond-paper.md and the
// RMSE-versus-k chart (Vega-Lite spec + SVG rendered headlessly through the viz layer).
// Usage: node bench/completion/curve-report.js RESULT.json [MORE.json ...] [--chart-out docs/completion-rmse-vs-k]
import { readFileSync, writeFileSync } from 'node:fs';
import { rmseVersusKSpec, renderSvg } from '../../dist/index.js';

const args = process.argv.slice(2);
const chartAt = args.indexOf('--chart-out');
const chartOut = chartAt >= 0 ? args[chartAt + 1] : null;
const files = args.filter((a, i) => !a.startsWith('--') && (chartAt < 0 || i !== chartAt + 1));
const rows = [];
const coverage = [];
for (const f of files) {
  const doc = JSON.parse(readFileSync(f, 'utf8'));
  rows.push(...doc.rows);
  coverage.push(...(doc.coverage ?? []));
}
const fmt = (x) => (x === null || x === undefined ? '—' : x.toFixed(4));

// 1. The curve on the reference split.
const ref = rows.filter((r) => r.data === 'dev reference split');
const series = [...new Set(ref.map((r) => `${r.method} · ${r.select}`))];
const ks = [...new Set(ref.map((r) => r.k))].sort((a, b) => a - b);
console.log(`| method · probes | ${ks.map((k) => `k=${k}`).join(' | ')} |`);
console.log(`|---|${ks.map(() => '---').join('|')}|`);
for (const s of series) {
  const cells = ks.map((k) => fmt(ref.find((r) => `${r.method} · ${r.select}` === s && r.k === k)?.rmse));
  console.log(`| ${s} | ${cells.join(' | ')} |`);
}
console.log('');

// 2. Generalisation: every data set at k = 10 and 30.
const datasets = [...new Set(rows.map((r) => r.data))];
const keys = [
  ...new Set(rows.filter((r) => r.k === 10 || r.k === 30).map((r) => `${r.method} · ${r.select} · k=${r.k}`)),
].sort();
console.log(`| data | ${keys.join(' | ')} |`);
console.log(`|---|${keys.map(() => '---').join('|')}|`);
for (const d of datasets) {
  const cells = keys.map((key) =>
    fmt(rows.find((r) => r.data === d && `${r.method} · ${r.select} · k=${r.k}` === key)?.rmse),
  );
  console.log(`| ${d} | ${cells.join(' | ')} |`);
}
console.log('');

// 3. Interval coverage.
if (coverage.length > 0) {
  console.log('| data | probes | k | coverage of the 90% interval | mean width |');
  console.log('|---|---|---|---|---|');
  for (const c of coverage)
    console.log(`| ${c.data} | ${c.select} | ${c.k} | ${c.coverage90.toFixed(3)} | ${c.meanWidth.toFixed(3)} |`);
}

if (chartOut) {
  const points = ref
    .filter((r) => r.rmse !== null)
    .map((r) => ({ k: r.k, rmse: r.rmse, select: r.select === 'paper' ? 'random' : 'active', method: r.method }));
  const spec = rmseVersusKSpec(points, { title: 'dev data, reference split: RMSE vs measured examples (seeds 0–9)' });
  writeFileSync(`${chartOut}.vl.json`, JSON.stringify(spec, null, 1));
  writeFileSync(`${chartOut}.svg`, await renderSvg(spec));
}
