#!/usr/bin/env node
// Renders a benchmark's recorded JSON as the Markdown table bench/RESULTS.md shows, so the tables there
// are generated, never copied by hand: `node bench/tables/render.js <kind> <file.json> [more.json …]`.
// scripts/bench-tables.mjs runs the command written in each `<!-- table: … -->` marker of RESULTS.md.
import { readFileSync } from 'node:fs';

const fmt = (x, digits = 4) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));

/** Side-information runs (bench/completion/side.js): RMSE per split and k, and the 90 % coverage. */
function side(reports) {
  const methods = ['lowrank', 'lowrank+side', 'ensemble', 'ensemble+side'];
  const lines = [
    `| split | k | seeds | ${methods.join(' | ')} | lowrank+side / lowrank | coverage lowrank / +side | mean width lowrank / +side |`,
    `|---|---|---|${methods.map(() => '---|').join('')}---|---|---|`,
  ];
  for (const rep of reports) {
    for (const run of rep.runs) {
      const r = run.rmse;
      const cov = run.coverage ?? {};
      const seeds = `${run.seeds[0]}–${run.seeds[run.seeds.length - 1]}`;
      lines.push(
        `| ${run.split} | ${run.k} | ${seeds} | ${methods.map((m) => fmt(r[m])).join(' | ')} | ` +
          `${fmt(r['lowrank+side'] / r.lowrank, 3)} | ${fmt(cov.lowrank?.coverage, 3)} / ${fmt(cov['lowrank+side']?.coverage, 3)} | ` +
          `${fmt(cov.lowrank?.meanWidth, 3)} / ${fmt(cov['lowrank+side']?.meanWidth, 3)} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Side-matrix selection (bench/completion/side-select-results.json: side.js runs, one per candidate
 * set): lowrank with and without side per split, the ratio to svd (the run's own svd, else the first
 * variant's on the same split), which candidates were kept (share of completed rows) and seconds per row.
 */
function sideSelect(reports) {
  const lines = [
    '| side | derive | candidates | split | seeds | lowrank | lowrank + side | + side / lowrank | + side / svd | kept (share of rows) | s per row |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const rep of reports) {
    const svd = new Map();
    for (const v of rep.variants)
      for (const run of v.runs) if (run.rmse.svd) svd.set(`${run.split}:${run.k}`, run.rmse.svd);
    for (const v of rep.variants) {
      for (const run of v.runs) {
        const r = run.rmse;
        const kept = Object.entries(run.sideKept?.['lowrank+side'] ?? {})
          .sort((a, b) => b[1] - a[1])
          .map(([name, share]) => `${name} ${fmt(share, 2)}`)
          .join(', ');
        const seeds = `${run.seeds[0]}–${run.seeds[run.seeds.length - 1]}`;
        lines.push(
          `| ${v.side.join(', ')} | ${v.derive ?? 'none'} | ${v.candidates?.length ?? v.side.length} | ${run.split} | ${seeds} | ` +
            `${fmt(r.lowrank)} | ${fmt(r['lowrank+side'])} | ${fmt(r['lowrank+side'] / r.lowrank, 3)} | ` +
            `${fmt(r['lowrank+side'] / svd.get(`${run.split}:${run.k}`), 3)} | ${kept || 'none'} | ${fmt(run.seconds['lowrank+side'], 2)} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** Interval coverage runs (bench/completion/curve.js --parts coverage): one row per data set, k and probe choice. */
function coverage(reports) {
  const lines = ['| data | k | probes | 90 % coverage | mean width |', '|---|---|---|---|---|'];
  for (const rep of reports) {
    for (const c of rep.coverage) {
      lines.push(`| ${c.data} | ${c.k} | ${c.select} | ${fmt(c.coverage90, 3)} | ${fmt(c.meanWidth, 3)} |`);
    }
  }
  return lines.join('\n');
}

/** Interval calibrations compared (bench/completion/coverage.js): coverage (mean width) per split, k and side. */
function calibration(reports) {
  const lines = [];
  for (const rep of reports) {
    const cals = [...new Set(rep.rows.map((r) => r.calibration))];
    const sides = [...new Set(rep.rows.map((r) => r.side))];
    const heads = sides.flatMap((sd) => cals.map((c) => (sd ? `${c} + ${sd}` : c)));
    for (const k of [...new Set(rep.rows.map((r) => r.k))]) {
      lines.push(`| split, k = ${k} | ${heads.join(' | ')} |`, `|---|${heads.map(() => '---|').join('')}`);
      for (const split of [...new Set(rep.rows.map((r) => r.split))]) {
        const cells = sides.flatMap((sd) =>
          cals.map((c) => {
            const r = rep.rows.find((x) => x.split === split && x.k === k && x.side === sd && x.calibration === c);
            return r ? `${fmt(r.coverage, 3)} (${fmt(r.intervalWidth, 3)})` : 'n/a';
          }),
        );
        lines.push(`| ${split} | ${cells.join(' | ')} |`);
      }
      lines.push('');
    }
  }
  return lines.join('\n').trimEnd();
}

/** Hostile-input corpus runs (`npm run bench -- hostile --out FILE`): counts, bounds and the slowest cases. */
function hostile(reports) {
  const lines = [
    '| cases | failed | concurrency | wall (s) | median (s) | slowest (s) | peak RSS (MB) | load at start | node |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const slowest = [];
  for (const { summary: s, rows } of reports) {
    lines.push(
      `| ${s.cases} | ${s.failed} | ${s.concurrency} | ${fmt(s.wallSeconds, 1)} | ${fmt(s.medianSeconds, 2)} | ` +
        `${fmt(s.maxSeconds, 2)} | ${fmt(s.maxRssMb, 0)} | ${fmt(s.machine.loadAverageAtStart, 1)} | ${s.machine.node} |`,
    );
    slowest.push(...[...rows].sort((a, b) => b.seconds - a.seconds).slice(0, 5));
  }
  lines.push('', '| slowest cases | exit | seconds (bound) | peak RSS MB (bound) |', '|---|---|---|---|');
  for (const r of slowest) {
    lines.push(
      `| ${r.file}: ${r.name.replaceAll('|', '\\|')} | ${r.exit} | ${fmt(r.seconds, 2)} (${r.maxSeconds}) | ${fmt(r.rssMb, 0)} (${r.maxRssMb}) |`,
    );
  }
  return lines.join('\n');
}

/** Side matrices compared through the CLI (bench/side/variants.py): one row per side set, one value per split file. */
function sideVariants(reports) {
  const lines = [
    `| side set | lowrank RMSE | × svd | × no side | folds worse than no side |`,
    '|---|---|---|---|---|',
    `| svd | ${reports.map((r) => fmt(r.svd.rmse)).join(' / ')} | | | |`,
  ];
  for (const name of Object.keys(reports[0].lowrank)) {
    const rows = reports.map((r) => r.lowrank[name]);
    const worse = rows.reduce((n, x) => n + x.folds_worse_than_no_side, 0);
    const folds = reports.reduce((n, r) => n + r.folds.length, 0);
    lines.push(
      `| ${name} | ${rows.map((x) => fmt(x.rmse)).join(' / ')} | ${rows.map((x) => fmt(x.ratio_to_svd, 3)).join(' / ')} | ` +
        `${rows.map((x) => fmt(x.ratio_to_no_side, 3)).join(' / ')} | ${worse} of ${folds} |`,
    );
  }
  return lines.join('\n');
}

/**
 * lowrank's example effects on the fixture (bench/completion/side.js runs: the first file with the
 * effects, the second with `--no-effects`, same splits and seeds): RMSE and ratio to svd per split,
 * without and with side, and the 90 % coverage with the effects.
 */
function effectsFixture([on, off]) {
  const lines = [
    '| split | seeds | svd | lowrank off / on | × svd off / on | lowrank + side off / on | × svd off / on | coverage on: lowrank / + side |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const run of on.runs) {
    const before = off.runs.find((r) => r.split === run.split && r.k === run.k);
    const r = run.rmse;
    const b = before?.rmse ?? {};
    const seeds = `${run.seeds[0]}–${run.seeds[run.seeds.length - 1]}`;
    const cov = run.coverage ?? {};
    lines.push(
      `| ${run.split} | ${seeds} | ${fmt(r.svd)} | ${fmt(b.lowrank)} / ${fmt(r.lowrank)} | ` +
        `${fmt(before?.ratioToSvd?.lowrank, 3)} / ${fmt(run.ratioToSvd?.lowrank, 3)} | ` +
        `${fmt(b['lowrank+side'])} / ${fmt(r['lowrank+side'])} | ` +
        `${fmt(before?.ratioToSvd?.['lowrank+side'], 3)} / **${fmt(run.ratioToSvd?.['lowrank+side'], 3)}** | ` +
        `${fmt(cov.lowrank?.coverage, 3)} / ${fmt(cov['lowrank+side']?.coverage, 3)} |`,
    );
  }
  return lines.join('\n');
}

/** lowrank's example effects on another dataset (bench/completion/effects.js): RMSE and × svd per split. */
function effectsData(reports) {
  const methods = ['lowrank', 'lowrank+effects', 'lowrank+side', 'lowrank+side+effects'];
  const lines = [
    `| data | test rows | svd | ${methods.join(' | ')} | × svd: ${methods.join(' / ')} |`,
    `|---|---|---|${methods.map(() => '---|').join('')}---|`,
  ];
  for (const rep of reports)
    for (const run of rep.runs) {
      const r = run.rmse;
      lines.push(
        `| ${rep.data} | ${run.test.join(',')} | ${fmt(r.svd)} | ${methods.map((m) => fmt(r[m])).join(' | ')} | ` +
          `${methods.map((m) => fmt(r[m] / r.svd, 3)).join(' / ')} |`,
      );
    }
  return lines.join('\n');
}

/**
 * The 90 % intervals of lowrank's default (with its example effects) on another dataset
 * (bench/completion/effects.js): coverage and mean width per split, without and with side.
 */
function effectsCoverage(reports) {
  const methods = ['lowrank+effects', 'lowrank+side+effects'];
  const lines = [
    '| data | test rows | coverage: lowrank / + side | mean width: lowrank / + side |',
    '|---|---|---|---|',
  ];
  for (const rep of reports)
    for (const run of rep.runs) {
      const cov = run.coverage ?? {};
      const width = run.intervalWidth ?? {};
      lines.push(
        `| ${rep.data} | ${run.test.join(',')} | ${methods.map((m) => fmt(cov[m], 3)).join(' / ')} | ` +
          `${methods.map((m) => fmt(width[m], 3)).join(' / ')} |`,
      );
    }
  return lines.join('\n');
}

/**
 * lowrank's default with and without example embeddings as covariates (bench/completion/effects.js, the
 * files given in pairs: without `--examples`, then with the folder's embeddings.jsonl): RMSE, × svd and
 * the change, without and with side.
 */
function effectsEmbedding(reports) {
  const lines = [
    '| data | test rows | svd | lowrank: without / with embeddings (change) | + side: without / with (change) | + side × svd: without / with |',
    '|---|---|---|---|---|---|',
  ];
  const change = (a, b) => `${b < a ? '−' : '+'}${fmt((Math.abs(b - a) / a) * 100, 1)} %`;
  for (let i = 0; i + 1 < reports.length; i += 2) {
    const [off, on] = [reports[i], reports[i + 1]];
    off.runs.forEach((run, r) => {
      const a = run.rmse;
      const b = on.runs[r]?.rmse ?? {};
      const [p0, p1, s0, s1] = [
        a['lowrank+effects'],
        b['lowrank+effects'],
        a['lowrank+side+effects'],
        b['lowrank+side+effects'],
      ];
      lines.push(
        `| ${off.data} | ${run.test.join(',')} | ${fmt(a.svd)} | ${fmt(p0)} / ${fmt(p1)} (${change(p0, p1)}) | ` +
          `${fmt(s0)} / ${fmt(s1)} (${change(s0, s1)}) | ${fmt(s0 / a.svd, 3)} / ${fmt(s1 / a.svd, 3)} |`,
      );
    });
  }
  return lines.join('\n');
}

const kinds = {
  side,
  'side-select': sideSelect,
  coverage,
  calibration,
  hostile,
  'side-variants': sideVariants,
  'effects-fixture': effectsFixture,
  'effects-data': effectsData,
  'effects-coverage': effectsCoverage,
  'effects-embedding': effectsEmbedding,
};
const [kind, ...files] = process.argv.slice(2);
if (!kinds[kind] || files.length === 0) {
  process.stderr.write(
    `usage: node bench/tables/render.js <${Object.keys(kinds).join('|')}> <file.json> [more.json …]\n`,
  );
  process.exit(2);
}
process.stdout.write(kinds[kind](files.map((f) => JSON.parse(readFileSync(f, 'utf8')))) + '\n');
