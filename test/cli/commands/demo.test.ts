import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../../src/cli/main.js';
import { readForgettingMatrix } from '../../../src/io/node/readForgettingMatrix.js';
import { captureContext } from '../../report/cliContext.js';
import { chromiumAvailable, launchChromium } from '../../report/chromium.js';
import { checkReportInBrowser } from '../../report/checkReport.js';
import { REPORT_CHARTS } from '../../report/sampleReport.js';

/**
 * `forgetscope demo` (= `npm start`) end to end on the bundled fixture, then its report in Chromium.
 * With FORGETSCOPE_UPDATE_SCREENSHOT=1 (`npm run docs:screenshot`) the screenshot is copied to
 * docs/report-screenshot.png.
 */
describe('forgetscope demo', () => {
  let dir = '';
  let summary: Record<string, any> = {};
  let stderr = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forgetscope-demo-'));
    const ctx = captureContext(['demo', '--out', dir, '--force', '--json']);
    const code = await runCli(ctx.argv, ctx);
    stderr = ctx.stderr.join('');
    expect(code).toBe(0);
    expect(ctx.stdout.join('').trim().split('\n')).toHaveLength(1);
    summary = JSON.parse(ctx.stdout.join(''));
  }, 300_000); // the whole main job; generous for busy CI machines
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs analyze, evaluate (paper protocol) and a replay plan on the fixture, quietly with --json', () => {
    expect(stderr).toBe('');
    expect([summary['tasks'], summary['examples']]).toEqual([37, 1000]);
    expect(Object.keys(summary['evaluation'].methods)).toEqual(['additive-ls', 'lowrank', 'knn']);
    expect(summary['evaluation'].seeds).toEqual([0, 1, 2, 3, 4]);
    expect(summary['evaluation'].select).toBe('paper');
    // topk weights are uniform over the pool: no weight histogram
    expect(summary['charts']).toEqual(REPORT_CHARTS.filter((c) => c !== 'replay-weights'));
    // Fixture tasks have 576 fine-tuning examples: int(576 / 32) + 1 = 19 replayed examples.
    expect(summary['replay'].replayN).toBe(19);
    expect(summary['replay'].task).toBe('t009');
  });

  it('writes a replay plan with the default policy (topk): uniform over the 4 × 19 highest scores that are not held out', async () => {
    const lines = readFileSync(join(dir, 'replay-plan.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('example,score,weight,selected');
    expect(lines).toHaveLength(1001);
    const rows = lines.slice(1).map((l) => l.split(','));
    const ids = rows.map((r) => r[0]!);
    const score = rows.map((r) => Number(r[1]));
    const weight = rows.map((r) => Number(r[2]));
    const selected = rows.map((r) => r[3] === '1' || r[3] === 'true');
    const held = new Set(
      (JSON.parse(readFileSync('fixtures/real-dev-v1/heldout_examples.json', 'utf8')).example_ids as number[]).map(
        String,
      ),
    );
    expect(held.size).toBe(200);
    // Independently: the 76 (= 4 replay budgets of 19) highest scores among the examples not held out.
    const eligible = ids.map((_, j) => j).filter((j) => !held.has(ids[j]!));
    const top = new Set(eligible.sort((a, b) => score[b]! - score[a]!).slice(0, 76));
    ids.forEach((_id, j) => {
      if (top.has(j)) expect(Math.abs(weight[j]! - 1 / 76)).toBeLessThan(1e-15);
      else {
        expect(weight[j]).toBe(0);
        expect(selected[j]).toBe(false);
      }
    });
    expect(selected.filter(Boolean)).toHaveLength(19);
    // The measured examples of t009 (row 2) are numpy default_rng(0).choice(1000, 30); their scores are the true Z.
    const { matrix } = await readForgettingMatrix('fixtures/real-dev-v1');
    for (const col of [850, 636, 511, 269, 307]) expect(score[col]).toBeCloseTo(matrix.get(2, col), 12);
  });

  const run = chromiumAvailable() ? it : it.skip;
  run('renders in headless Chromium: no console errors, no requests, every chart drawn; screenshot', async () => {
    const out = resolve('test-output', 'report');
    mkdirSync(out, { recursive: true });
    const shot = join(out, 'demo-report.png');
    const browser = await launchChromium();
    try {
      const result = await checkReportInBrowser(browser.context, pathToFileURL(join(dir, 'report.html')).href, {
        screenshot: shot,
        clipHeight: 1500,
      });
      expect(result.consoleErrors).toEqual([]);
      expect(result.externalRequests).toEqual([]);
      expect(result.charts.map((c) => c.name)).toEqual(summary['charts']);
      for (const c of result.charts) {
        expect(c.width).toBeGreaterThan(100);
        expect(c.height).toBeGreaterThan(50);
        expect(c.marks).toBeGreaterThan(0);
      }
      expect(result.horizontalOverflow).toBe(false);
    } finally {
      await browser.close();
    }
    expect(existsSync(shot)).toBe(true);
    if (process.env['FORGETSCOPE_UPDATE_SCREENSHOT'] === '1')
      copyFileSync(shot, resolve('docs', 'report-screenshot.png'));
  });
});
