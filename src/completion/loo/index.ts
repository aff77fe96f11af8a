/**
 * Leave-one-task-out ridge machinery of the closed-form completion methods: the train block's
 * statistics and centred bases (`basis.ts`), the held-out folds derived from one Gram matrix
 * (`folds.ts`, `downdate.ts`), the Bayesian ridge on the components and its model selection
 * (`ridge.ts`), the same ridge with per-task side-matrix scales (`side.ts`), and the interval forms
 * and scale calibration (`forms.ts`, `intervals.ts`). `lowrank` is built on it; `soft-impute`,
 * `ensemble` and the active probe selection use its public functions.
 */
export * from './basis.js';
export * from './folds.js';
export * from './ridge.js';
export * from './forms.js';
export * from './intervals.js';
export * from './side.js';
export * from './sideSelect.js';
