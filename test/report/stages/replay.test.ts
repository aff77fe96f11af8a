import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { replayStage } from '../../../src/report/stages/replay.js';
import { stageContext } from './stageContext.js';

// Six tasks × 40 examples, exactly additive, so every completion method sees a clear score ranking.
const a = [0, 0.5, -1, 2, 1.5, -0.5];
const b = Array.from({ length: 40 }, (_, j) => Math.sin(j * 1.3));
const z = ForgettingMatrix.fromRows(a.map((ai) => b.map((bj) => ai + bj)));

const context = () => stageContext(z);

describe('the replay stage of a report', () => {
  test('n = 96 at ratio 1/32: int(96/32) + 1 = 4 examples drawn for the held-out task, none of the excluded', async () => {
    const ctx = context();
    const exclude = new Uint8Array(40);
    exclude[0] = exclude[1] = 1;
    const out = await replayStage(ctx, { task: 5, nFineTune: 96, known: 10, method: 'additive-ls', exclude }, null);
    expect(out).not.toBeNull();
    const { replay, section } = out!;
    expect(ctx.steps).toEqual(['replay']);
    expect(replay.selected).toHaveLength(4);
    expect(Array.from(replay.selected).some((j) => j < 2)).toBe(false);
    expect(section).toMatchObject({ task: 't5', replayN: 4, method: 'additive-ls', policy: 'stratified' });
    expect(section.basis).toBe(
      "10 examples measured with the paper's random draw, seed 0; the rest predicted by additive-ls from 5 train tasks; 2 held-out examples excluded",
    );
  });

  test('a budget above the examples that may be replayed is left out with a note; a train row as the task is refused', async () => {
    const ctx = context();
    // int(2000/32) + 1 = 63 > 40 examples
    expect(await replayStage(ctx, { task: 5, nFineTune: 2000 }, null)).toBeNull();
    expect(ctx.missing).toEqual([
      'replay plan: n = 2000 asks for 63 replayed examples but only 40 may be replayed; give a smaller fine-tuning size or ratio',
    ]);
    await expect(replayStage(context(), { task: 1, nFineTune: 96 }, [0, 1, 2])).rejects.toThrow(/also a train row/);
  });
});
