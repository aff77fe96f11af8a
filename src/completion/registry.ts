/**
 * The completion methods by CLI name. Each entry builds a fresh method with its default (paper)
 * settings; `evaluate --methods a,b` and `predict --method a` look names up here. To add a method,
 * add one line to `completionMethods`.
 */
import type { CompletionMethod } from './types.js';
import { ForgetscopeError } from '../util/errors.js';
import { additive } from './methods/additive.js';
import { knn } from './methods/knn.js';
import { knnBaseline } from './methods/knnBaseline.js';
import { svd } from './methods/svd.js';
import { lgmf } from './methods/lgmf.js';
import { lgmfAdditive } from './methods/lgmfAdditive.js';
import { additiveLs } from './methods/additiveLs.js';
import { lowrank } from './methods/lowrank/lowrank.js';
import { softImpute } from './methods/softImpute.js';
import { ensemble } from './methods/ensemble.js';

/** Factories of every registered completion method, by name. */
export const completionMethods: Record<string, () => CompletionMethod> = {
  additive: () => additive(),
  knn: () => knn(),
  'knn-baseline': () => knnBaseline(),
  svd: () => svd(),
  lgmf: () => lgmf(),
  'lgmf-additive': () => lgmfAdditive(),
  // closed-form and better methods register below, one line each
  'additive-ls': () => additiveLs,
  lowrank: () => lowrank,
  'soft-impute': () => softImpute,
  ensemble: () => ensemble,
};

/**
 * Registered methods that run only when named (not part of `evaluate`'s default "all registered"
 * list, so that its output stays as it was before they existed).
 */
export const OPT_IN_METHODS: readonly string[] = ['soft-impute', 'ensemble'];

/** The paper's six faithful methods, in the paper's order. */
export const PAPER_METHODS: readonly string[] = ['additive', 'knn', 'knn-baseline', 'svd', 'lgmf', 'lgmf-additive'];

/** Builds a registered method by name (usage error listing the names when unknown). */
export function createCompletionMethod(name: string): CompletionMethod {
  const factory = completionMethods[name];
  if (!factory) {
    throw new ForgetscopeError(
      'usage',
      `unknown method "${name}"; available: ${Object.keys(completionMethods).join(', ')}`,
    );
  }
  return factory();
}

/**
 * A method whose `fit` always receives `extra` on top of the caller's options (e.g. lowrank's
 * `exampleEffects: false` from the CLI's `--no-example-effects`); methods that do not read an option
 * ignore it. Same name.
 * @example
 * withFitOptions(createCompletionMethod('lowrank'), { exampleEffects: false });
 */
export function withFitOptions(method: CompletionMethod, extra: Record<string, unknown>): CompletionMethod {
  return { name: method.name, fit: (train, options) => method.fit(train, { ...options, ...extra }) };
}
