import { buildReportHtml } from '../../src/report/index.js';
import { REPORT_CHARTS, sampleReportData } from './sampleReport.js';

describe('buildReportHtml', () => {
  let html = '';
  const warnings: string[] = [];
  beforeAll(async () => {
    html = await buildReportHtml(sampleReportData(), { onWarning: (w) => warnings.push(w) });
  });

  it('compiles every chart without warnings and inlines one SVG per chart', () => {
    expect(warnings).toEqual([]);
    const figures = html.match(/<figure class="chart" data-chart="[^"]+">/g) ?? [];
    expect(figures.map((f) => /data-chart="([^"]+)"/.exec(f)![1])).toEqual(REPORT_CHARTS);
    expect((html.match(/<svg\b/g) ?? []).length).toBe(8);
  });

  it('is self-contained: no scripts, no external resources', () => {
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    // The only URLs are XML namespace names inside the SVGs.
    const urls = new Set(html.match(/https?:\/\/[^\s"')<]+/g) ?? []);
    for (const u of urls) expect(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']).toContain(u);
  });

  it('keeps element ids unique across the inlined SVGs', () => {
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });

  it('escapes user text in titles and tables', () => {
    expect(html).toContain('<title>Forgetting audit &lt;sample&gt;</title>');
    expect(html).toContain('return &lt;x&gt;');
    expect(html).not.toContain('<sample>');
  });

  it('shows the tables: model comparison with the best values marked, sources, tasks, reader report, provenance', () => {
    // lowrank has the lowest RMSE (0.08) and the highest F1 (0.95) and AUC (0.8)
    expect(html).toMatch(/<td><code>lowrank<\/code><\/td><td class="num"><span class="best">0.08<\/span>/);
    expect(html).toContain('<td class="num">—</td>'); // lgmf has no RMSE
    expect(html).toContain('482 rows read, 480 kept, 2 dropped');
    expect(html).toContain('duplicate (replaced by a later row)');
    expect(html).toContain('forgetscope report sample.csv --out r.html');
    expect(html).toContain('active probes: not requested');
    expect(html).toMatch(
      /<td>python<\/td><td class="num">20<\/td><td class="num">0.35<\/td><td class="num">96.0 %<\/td><td class="num">40.0 %<\/td>/,
    );
  });

  it('leaves out sections without data', async () => {
    const d = sampleReportData();
    const minimal = await buildReportHtml({ title: 't', dataset: d.dataset, provenance: d.provenance });
    expect(minimal).not.toContain('<figure');
    expect(minimal).toContain('id="overview"');
    expect(minimal).toContain('id="provenance"');
    expect(minimal).not.toContain('id="replay"');
  });

  it('has print styles', () => {
    expect(html).toContain('@media print');
  });
});
