import type { Backend } from '../../../src/linalg/types.js';
import type { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import type { StageContext } from '../../../src/report/stages/context.js';

/** A stage context over `matrix` that runs each step at once, stays silent and records the step names in `steps`. */
export function stageContext(matrix: ForgettingMatrix, backend?: Backend): StageContext & { steps: string[] } {
  const steps: string[] = [];
  return {
    matrix,
    ...(backend ? { backend } : {}),
    progress: () => {},
    onStep: (stage) => steps.push(stage),
    timed: async (_name, f) => f(),
    missing: [],
    steps,
  };
}
