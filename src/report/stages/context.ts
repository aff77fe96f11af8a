import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import type { Backend } from '../../linalg/types.js';
import type { ProgressSink } from '../../util/progress.js';

/** What every assembly stage shares: the matrix, the backend, progress, step notices, timings. */
export interface StageContext {
  matrix: ForgettingMatrix;
  backend?: Backend;
  progress: ProgressSink;
  /** Called as each stage starts: `analyze`, `evaluate`, `curve`, `replay`. */
  onStep: (stage: string, detail: string) => void;
  /** Runs `f`, recording its wall time in seconds under `name`. */
  timed: <T>(name: string, f: () => Promise<T> | T) => Promise<T>;
  /** Sections not computed, with the reason (shown to the reader). */
  missing: string[];
}

/** `{ backend }` when the context has one (for options objects). */
export function backendOption(ctx: StageContext): { backend?: Backend } {
  return ctx.backend ? { backend: ctx.backend } : {};
}

/** Number of ones in a 0/1 mask. */
export function countOnes(mask: Uint8Array): number {
  let c = 0;
  for (const x of mask) c += x;
  return c;
}
