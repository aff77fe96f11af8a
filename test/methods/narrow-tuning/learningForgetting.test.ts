import { learningForgetting, recovery } from '../../../src/methods/narrow-tuning/learningForgetting.js';

// Worked tests of seed-000 §4 (numbers from the spec, computed there with numpy).
describe('narrow tuning (seed 000)', () => {
  test('T4 learningForgetting and recovery', () => {
    const r = learningForgetting(
      { base: [40, 10, 30, 50, 5], afterOwnStage: [70, 60, 55, 65, 45] },
      {
        base: [80, 60, 70, 50, 75, 65, 55, 85],
        perStage: [
          [80, 60, 70, 50, 75, 65, 55, 85],
          [79, 58, 71, 49, 74, 66, 53, 85],
        ],
      },
    );
    expect(r.dLearning).toBeCloseTo(32.0, 12);
    expect(r.dHeldOut).toBeCloseTo(-0.625, 12);
    expect(
      learningForgetting(
        { base: [0], afterOwnStage: [1] },
        {
          base: [80, 60, 70, 50, 75, 65, 55, 85],
          perStage: [
            [80, 60, 70, 50, 75, 65, 55, 85],
            [79, 58, 71, 49, 74, 66, 53, 85],
          ],
        },
        'meanOverStages',
      ).dHeldOut,
    ).toBeCloseTo(-0.3125, 12);
    expect(recovery(60, [50, 52, 58, 57])).toBeCloseTo(0.7, 12);
    expect(recovery(60, [61, 62])).toBeNaN();
  });
});
