import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { runReport } from '../../src/report/run.js';

const z = ForgettingMatrix.fromRows([1, 2, 3].map((t) => [0.1, 0.2, 0, 0.4].map((e) => t * e)));
const provenance = { version: 'test', command: 'forgetscope report z.csv', createdAt: '2026-01-01T00:00:00Z' };

describe('runReport', () => {
  test('assembles, renders and sizes the page; one step line per stage; the summary names the file', async () => {
    const steps: string[] = [];
    const warnings: string[] = [];
    const run = await runReport(
      z,
      { name: 'z.csv', provenance, ranks: 1 },
      { out: 'r.html', step: (m) => steps.push(m), onWarning: (w) => warnings.push(w) },
    );
    expect(steps.map((s) => s.split(':')[0])).toEqual(['analyze', 'report']);
    expect(steps[1]).toBe('report: rendering r.html');
    expect(warnings).toEqual([]);
    expect(run.html).toContain('z.csv');
    expect(run.bytes).toBe(Buffer.byteLength(run.html, 'utf8'));
    expect(run.summary).toMatchObject({ out: 'r.html', bytes: run.bytes, tasks: 3, examples: 4 });
    expect(run.summary['charts']).toEqual(['heatmap', 'scree']);
    expect(run.report.data.dataset.name).toBe('z.csv');
  });
});
