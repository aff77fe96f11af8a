/**
 * Leave-one-task-out ridge machinery of the closed-form completion methods: the train block's
 * statistics and centred bases (`basis.ts`), the held-out folds derived from one Gram matrix
 * (`folds.ts`, `downdate.ts`), the one Bayesian ridge on [1, side columns, components] (`ridge.ts`;
 * no side information is zero side columns), its model selection (`select.ts`), the side columns'
 * statistics and per-task scales (`side.ts`), the interval forms and scale calibration (`forms.ts`,
 * `intervals.ts`) and a new task's prediction (`predict.ts`). `lowrank` is built on it; `soft-impute`,
 * `ensemble` and the active probe selection use its public functions.
 */
export * from './basis.js';
export * from './folds.js';
export * from './ridge.js';
export * from './select.js';
export * from './forms.js';
export * from './intervals.js';
export * from './side.js';
export * from './predict.js';
export * from './sideSelect.js';
