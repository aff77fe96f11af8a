// Structure analysis and audit summaries of a forgetting matrix. Internal barrel: the public names are listed in src/index.ts.
export * from './goodnessOfFit.js';
export * from './observedSums.js';
export * from './fitAdditive.js';
export * from './fitAdditiveAls.js';
export * from './alsLowRank.js';
export * from './fitTruncatedRanks.js';
export * from './orthogonaliseFactors.js';
export * from './signNormalise.js';
export * from './analyzeStructure.js';
export * from './defaultBackend.js';
export * from './summarizeExamples.js';
export * from './summarizeBySource.js';
export * from './summarizeTasks.js';
export * from './correlations.js';
export * from './auditForgetting.js';
export * from './analyzeStream.js';
