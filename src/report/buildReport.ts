import type { VegaLiteSpec } from '../viz/spec.js';
import { renderSvg } from '../viz/render.js';
import type { ReportData } from './types.js';
import { cell, escapeHtml, scopeSvgIds } from './html.js';
import { REPORT_CSS } from './styles.js';
import { REPORT_SECTIONS, type FigureRenderer, type Section } from './sections.js';

export { formatSeeds } from './formatSeeds.js';

/** Options of `buildReportHtml`. */
export interface BuildReportOptions {
  /** Receives Vega-Lite compiler warnings (none are expected). */
  onWarning?: (message: string) => void;
}

/**
 * Builds the self-contained HTML audit report: every chart pre-rendered to inline SVG (no scripts,
 * no network), summary tables, the reader's report and how the report was produced. Sections whose
 * data is absent are left out and listed with the reason. Runs anywhere `renderSvg` runs.
 * @example
 * const html = await buildReportHtml({ title: 'Forgetting audit', dataset, structure, sources, provenance });
 */
export async function buildReportHtml(data: ReportData, options: BuildReportOptions = {}): Promise<string> {
  let figureCount = 0;
  const figure: FigureRenderer = async (name: string, spec: VegaLiteSpec, caption: string) => {
    const svg = await renderSvg(spec, options.onWarning ? { onWarning: options.onWarning } : {});
    figureCount++;
    const scoped = scopeSvgIds(svg, `f${figureCount}-`);
    return `<figure class="chart" data-chart="${escapeHtml(name)}">${scoped}<figcaption>${caption}</figcaption></figure>`;
  };
  const sections: Section[] = [];
  for (const build of REPORT_SECTIONS) {
    const section = await build(data, figure);
    if (section) sections.push(section);
  }
  return reportPage(data, sections);
}

/** The page around the sections: head with the stylesheet, title, contents, sections. */
function reportPage(data: ReportData, sections: readonly Section[]): string {
  const d = data.dataset;
  const p = data.provenance;
  const toc = `<nav class="toc"><strong>Contents</strong><ol>${sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('')}</ol></nav>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="forgetscope ${escapeHtml(p.version)}">
<title>${escapeHtml(data.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="lead">${escapeHtml(d.name)} · ${cell(d.tasks)} tasks × ${cell(d.examples)} upstream examples · forgetscope ${escapeHtml(p.version)} · ${escapeHtml(p.createdAt)}</p>
</header>
${toc}
<main>
${sections.map((s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
</main>
</body>
</html>
`;
}
