/**
 * Example effects of a completion: per-example covariates and a per-task random effect along each,
 * learned by empirical Bayes from leave-one-task-out residuals.
 */
export * from './exampleFeatures.js';
export * from './randomEffects.js';
