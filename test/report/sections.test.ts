import { sixExamplePlan } from '../viz/helpers.js';
import { replaySection, completionSection, overviewSection } from '../../src/report/sections.js';
import type { ReportData } from '../../src/report/types.js';
import { scores } from './methodScores.js';

describe('the method table marks a best value only where it differs meaningfully', () => {
  it('the table has RMSE first and bolds only the meaningful best', async () => {
    const data = {
      evaluation: {
        methods: {
          'additive-ls': scores({ rmse: 0.2, f1: 0.99, auc: 0.9, stderr: { rmse: 0.002, f1: 0.001 } }),
          lowrank: scores({ rmse: 0.1, f1: 0.991, auc: 0.905, stderr: { rmse: 0.002, f1: 0.001 } }),
        },
        select: 'paper',
        known: 30,
        seeds: [0, 1],
        trainRows: '0-9',
        testRows: '10-12',
      },
    } as unknown as ReportData;
    const s = await completionSection(data, async () => '');
    const html = s!.html;
    const headers = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(0, 3)).toEqual(['method', 'RMSE', 'F1']);
    expect(html.match(/class="best"/g)).toHaveLength(1);
    expect(html).toContain('<span class="best">0.1<span class="se"> ± 0.0020</span></span>');
    expect(html).toMatch(/on F1, precision, recall, AUC the methods are level/);
  });

  it('the overview card says "best" only when the lowest RMSE is meaningfully lowest', () => {
    const dataset = {
      name: 'd',
      tasks: 3,
      examples: 4,
      observed: 12,
      mean: 0.1,
      std: 0.1,
      min: 0,
      max: 1,
      fractionForgotten: 0.5,
    };
    const ev = (b: number) => ({
      methods: { a: scores({ rmse: 0.1, stderr: { rmse: 0.001 } }), b: scores({ rmse: b, stderr: { rmse: 0.001 } }) },
      select: 'paper',
      known: 3,
      seeds: [0, 1],
      trainRows: '0',
      testRows: '1',
    });
    const card = (b: number) => overviewSection({ dataset, evaluation: ev(b) } as unknown as ReportData).html;
    expect(card(0.2)).toContain('best completion RMSE (a)');
    expect(card(0.1005)).toContain('lowest completion RMSE (a)');
  });
});

describe('the replay section explains the plan', () => {
  const plan = sixExamplePlan;

  it('says in words what the default plan replays, and leaves out a one-bar weight histogram', async () => {
    const figures: string[] = [];
    const data = {
      replay: { ...plan, task: 't1', replayN: 2, temperature: Infinity, policy: 'topk', method: 'lowrank' },
    } as unknown as ReportData;
    const s = await replaySection(data, async (name) => {
      figures.push(name);
      return '';
    });
    expect(figures).toEqual(['replay-scores', 'replay-top']);
    expect(s!.html).toContain(
      'Only the 3 examples with the highest predicted forgetting (score ≥ 0.5) can be drawn, each with the same weight 1/3; 2 of them are sampled',
    );
    const order = [...s!.html.matchAll(/<td><code>([a-f])<\/code><\/td>/g)].map((m) => m[1]);
    expect(order).toEqual(['b', 'c', 'a', 'e', 'd']); // f scores highest but is held out
  });
});
