import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../src/cli/writeReport.js';
import { ForgettingMatrix } from '../../src/matrix/ForgettingMatrix.js';
import { VERSION } from '../../src/version.js';
import { captureContext } from '../helpers/cli.js';

const z = ForgettingMatrix.fromRows([1, 2, 3].map((t) => [0.1, 0.2, 0, 0.4].map((e) => t * e)));

describe('writeReport (the CLI side of report and demo)', () => {
  test('writes the page, stamps the provenance with the command line and backend, refuses to overwrite without force', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fs-writereport-')), 'r.html');
    const c = captureContext(['report', 'z.csv', '--out', out]);
    const job = {
      matrix: z,
      plan: { name: 'z.csv', ranks: 1 },
      provenance: { seeds: '0' },
      out,
      force: false,
      backend: 'cpu',
      json: true,
    };
    const run = await writeReport(c.ctx, job);
    expect(readFileSync(out, 'utf8')).toBe(run.html);
    const p = run.report.data.provenance;
    expect(p).toMatchObject({
      version: VERSION,
      command: `forgetscope report z.csv --out ${out}`,
      seeds: '0',
      backend: 'cpu',
    });
    expect(p.runtime).toBe(`Node ${process.versions.node} on ${process.platform}-${process.arch}`);
    expect(run.summary).toMatchObject({ out, backend: 'cpu' });
    await expect(writeReport(c.ctx, job)).rejects.toMatchObject({ code: 'usage' });
    await expect(writeReport(c.ctx, { ...job, force: true })).resolves.toBeDefined();
  });
});
