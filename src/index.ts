/**
 * forgetscope's public API (runs in Node, Deno and browsers). Node-only file access is in
 * `forgetscope/node`. This file only re-exports.
 */
export { VERSION } from './version.js';
export * from './util/index.js';
export * from './matrix/index.js';
export * from './io/index.js';
export * from './linalg/index.js';
export * from './analysis/index.js';
export * from './completion/index.js';
export * from './replay/index.js';
export * from './methods/index.js';
export * from './viz/index.js';
export { checkSideShapes, selectSideRows, sideRowOf, exampleFeatureSide, type SideMatrix, type SideMatrices, type SideRow } from './matrix/sideMatrices.js';
export { parseSideNpy, alignSideMatrix, checkSideName, type SideReport } from './io/dataset/sideMatrix.js';
export { softImpute, fitSoftImpute, softImputeRow, SOFT_IMPUTE_LAMBDAS, type SoftImputeOptions, type FittedSoftImpute, type SoftImputeBlock } from './completion/methods/softImpute.js';
export { OPT_IN_METHODS } from './completion/registry.js';
export { ensemble, fitEnsemble, nnlsSmall, type EnsembleOptions, type FittedEnsemble } from './completion/methods/ensemble.js';
