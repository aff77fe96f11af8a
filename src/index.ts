/**
 * forgetscope's public API (runs in Node, Deno and browsers); Node-only file access, threads and Dawn
 * WebGPU are in `forgetscope/node` (`src/node.ts`). Every public name is listed here, grouped by what it is
 * for, one line per source module (the layer barrels `src/<layer>/index.ts` are internal). A name not
 * listed here is internal and may change. `test/package/surface.test.ts` compares the runtime names with
 * `test/package/surface.txt`: adding a name is one edit here plus one line there.
 */

// # Version
export { VERSION } from './version.js';

// # Errors, progress and JSON output
export { ForgetscopeError, formatLocation, type ErrorCode, type ErrorLocation } from './util/index.js';
export { noProgress, throttleProgress, type ProgressSink, type WarningSink } from './util/index.js';
export { stringifyResult, toJSONValue } from './util/index.js';

// # The forgetting matrix
export {
  ForgettingMatrix,
  type ExampleMeta,
  type ForgettingMatrixInit,
  type MatrixSummary,
  type MetaValue,
  type Selection,
  type TaskMeta,
  type Values,
  EMBEDDING_PREFIX,
  isEmbeddingKey,
} from './matrix/index.js';
export {
  checkSideShapes,
  exampleFeatureSide,
  selectSideRows,
  sideRowOf,
  type SideMatrices,
  type SideMatrix,
  type SideRow,
} from './matrix/sideMatrices.js';

// # Reading and writing (bytes and streams; files are in forgetscope/node)
// ## Any format
export { readForgettingMatrixFromBytes } from './io/index.js';
export { readForgettingMatrixFromStream, type ByteStream } from './io/index.js';
export { formatFromBytes, formatFromName } from './io/index.js';
export {
  DEFAULT_COLUMNS,
  type ColumnNames,
  type DuplicatePolicy,
  type InputFormat,
  type ReadOptions,
  type ReadReport,
  type ReadResult,
  type Table,
  type TableColumn,
  type TableFormat,
} from './io/index.js';
export { DEFAULT_LIMITS, type ReadLimits } from './io/index.js';
export { matrixToLongTable } from './io/index.js';
export { parseIdList } from './io/index.js';
export { alignSideMatrix, checkSideName, parseSideNpy, type SideReport } from './io/dataset/sideMatrix.js';
// ## One format each
export { readDelimitedLongTable, type DelimitedReadOptions } from './io/index.js';
export { encodeDelimited, encodeDelimitedChunks } from './io/index.js';
export { readJsonLinesLongTable, type LongReadOptions, type LongReadResult } from './io/index.js';
export { arrowBatchesFromBytes, readArrowBatches } from './io/index.js';
export { encodeArrow } from './io/index.js';
export { parquetSourceFromBytes, readParquetLongTable, type ParquetSource } from './io/index.js';
export { encodeParquet } from './io/index.js';
export { isNpy, parseNpy, type NpyArray } from './io/index.js';
export { matrixFromNpy, type MatrixFromNpyOptions } from './io/index.js';
export { encodeNpy, encodeNpyTable } from './io/index.js';
export { parseExamples, parseTasks, readDataset, type DatasetParts } from './io/index.js';
export {
  encodeSafetensors,
  parseSafetensors,
  tensorAsMatrix,
  tensorNameFilter,
  type SafetensorsDType,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
  type Tensor,
  type TensorToWrite,
} from './io/index.js';

// # Linear algebra backends
export type {
  Backend,
  BackendName,
  Dense,
  GemmOptions,
  MaskedGram,
  SVDResult,
  TopSVDOptions,
} from './linalg/index.js';
export {
  type BackendDescription,
  type BackendKernel,
  type BackendRoute,
  formatBackendDescription,
  type FormatBackendOptions,
} from './linalg/index.js';
export { selectBackend, type BackendKind, type SelectBackendOptions } from './linalg/index.js';
export {
  resolveBackend,
  mayUseWebGpu,
  problemMulAdds,
  WEBGPU_CROSSOVER_MULADDS,
  type ProblemShape,
  type ResolveBackendOptions,
} from './linalg/index.js';
export { defaultBackend, columnFormsOn, type ColumnForms, type ColumnFormsInput } from './linalg/index.js';
export { createCpuBackend, type CpuBackendOptions } from './linalg/index.js';
export {
  createInlineRunner,
  type CpuKernelRunner,
  type InlineRunnerOptions,
  type RelaxedMode,
  type SimdMode,
} from './linalg/index.js';
export { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from './linalg/index.js';
export { createReferenceBackend } from './linalg/index.js';
// ## Streaming over column chunks, small dense helpers, the seeded generator
export {
  denseColumnChunks,
  gramStream,
  topSVDStream,
  type ColumnChunk,
  type ColumnChunks,
  type StreamGramResult,
  type StreamOptions,
  type StreamSVDResult,
} from './linalg/index.js';
export { orthonormaliseRows } from './linalg/index.js';
export { symmetricEigen, type SymmetricEigen } from './linalg/index.js';
export { SeededNormal } from './linalg/index.js';

// # Structure analysis and audit summaries
export {
  analyzeStructure,
  compareModels,
  type AnalyzeStructureOptions,
  type ModelComparison,
  type MultiplicativeFit,
  type StructureAnalysis,
} from './analysis/index.js';
export { analyzeStream, type AnalyzeStreamOptions, type ColumnBlock, type StreamAnalysis } from './analysis/index.js';
export { auditForgetting, type AuditOptions, type ForgettingAudit } from './analysis/index.js';
// ## The model fits
export {
  fitAdditive,
  fitColumnMeans,
  fitRowMeans,
  type AdditiveFit,
  type FitAdditiveOptions,
  type MeansWithCounts,
  type OneWayFit,
} from './analysis/index.js';
export { fitAdditiveAls, type AdditiveAlsFit, type AdditiveAlsOptions } from './analysis/index.js';
export { fitLowRank, fitTruncatedRanks, type FitLowRankOptions, type LowRankFit } from './analysis/index.js';
export { alsLowRank, type AlsLowRankOptions, type AlsLowRankResult, type MaskedDense } from './analysis/index.js';
export { orthogonaliseFactors, type FactorSVD } from './analysis/index.js';
export { fitQuality, observedMoments, type FitQuality, type ObservedMoments } from './analysis/index.js';
// ## Summaries and correlations
export {
  summarizeExamples,
  topForgotten,
  type ExampleSummary,
  type ForgottenExample,
  type TopForgottenOptions,
} from './analysis/index.js';
export { summarizeBySource, type SourceSummary, type SummarizeBySourceOptions } from './analysis/index.js';
export { summarizeTasks, type TaskSummary } from './analysis/index.js';
export {
  correlate,
  correlateSimilarity,
  correlateTaskMetadata,
  LR_TIMES_STEPS,
  midranks,
  pearson,
  spearman,
  type CorrelateTaskMetadataOptions,
  type Correlation,
  type MetadataCorrelation,
  type SimilarityCorrelation,
} from './analysis/index.js';

// # Completing rows for unseen tasks
export type {
  CompletionMethod,
  FitOptions,
  FittedCompletion,
  KnownEntries,
  RowPrediction,
} from './completion/index.js';
export { completionMethods, createCompletionMethod, PAPER_METHODS, withFitOptions } from './completion/index.js';
// ## The methods (factories by registry name; `funkSvd` is the `svd` method)
export { additive, PAPER_BASELINE_SGD, type AdditiveOptions, type BaselineSgdSettings } from './completion/index.js';
export { knn, type KnnOptions } from './completion/index.js';
export { knnBaseline, type KnnBaselineOptions } from './completion/index.js';
export { funkSvd, PAPER_SVD, type SvdOptions, type SvdSettings } from './completion/index.js';
export { lgmf, PAPER_LGMF, type LgmfOptions, type LgmfSettings, type LogisticSettings } from './completion/index.js';
export { lgmfAdditive, PAPER_LGMF_ADDITIVE, type LgmfAdditiveOptions } from './completion/index.js';
export { additiveLs, type AdditiveLsOptions } from './completion/index.js';
export {
  lowrank,
  LOWRANK_VARIANTS,
  type FittedLowrank,
  type FullBasis,
  type LowrankDecision,
  type LowrankGrid,
  type LowrankHyper,
  type LowrankOptions,
  type LowrankSelection,
  type LowrankVariant,
} from './completion/index.js';
/** `lowrank.fit` with its richer return type (`decide`, `bases`); named apart from analysis' `fitTruncatedRanks`. */
export { fitLowrankCompletion } from './completion/index.js';
export { SIDE_ALPHAS } from './completion/loo/side.js';
export { SIDE_ENTRY_Z, type SideScore, type SideSelection } from './completion/loo/sideSelect.js';
export {
  deriveSideMatrices,
  MAX_SIDE_GROUPS,
  sideDeriveFeatures,
  SIDE_DERIVE_SETS,
  type SideDeriveFeatures,
  type SideDeriveSet,
} from './completion/sideDerive.js';
export {
  effectsAt,
  effectsCorrection,
  effectsOf,
  effectsPrior,
  exampleFeatures,
  MAX_EMBEDDING_COVARIATES,
  TEXT_CLASSES,
  type EffectsPrior,
  type ExampleFeatureOptions,
  type ExampleFeatures,
} from './completion/effects/index.js';
export {
  fitSoftImpute,
  SOFT_IMPUTE_LAMBDAS,
  softImpute,
  type FittedSoftImpute,
  type SoftImputeOptions,
} from './completion/methods/softImpute.js';
export {
  ensemble,
  fitEnsemble,
  nnlsSmall,
  type EnsembleOptions,
  type FittedEnsemble,
} from './completion/methods/ensemble.js';
export { OPT_IN_METHODS } from './completion/registry.js';
// ## Probes and the evaluation protocol
export { selectActiveProbes, type ActiveProbeOptions, type ProbeMethod } from './completion/index.js';
export {
  evaluate,
  knownEntriesOf,
  paperProbes,
  PREDICTION_CLIP,
  type EvaluateOptions,
  type EvaluationResult,
  type MethodEvaluation,
  type ProbeContext,
  type ProbeSelector,
  type SeedMetrics,
  type SideKeptMetrics,
} from './completion/index.js';
export { completionMetrics, meanMetrics, rocAuc, type CompletionMetrics } from './completion/index.js';
// ## numpy-exact generators (the protocol's seeds reproduce numpy's streams)
export { defaultRng, NumpyGenerator } from './completion/index.js';
export { PCG64 } from './completion/index.js';
export { SeedSequence } from './completion/index.js';
export { LegacyRandomState } from './completion/index.js';

// # Replay planning
export type { ReplayPlan } from './replay/index.js';
export { replayLogits, softmaxWeights } from './replay/index.js';
export { autoTemperature, effectiveSupport } from './replay/index.js';
export { DEFAULT_REPLAY_RATIO, replayCount } from './replay/index.js';
export { sampleWithoutReplacement, type SampleOptions } from './replay/index.js';
export { createReplayRandom, type ReplayRandom } from './replay/index.js';
export {
  planOfflineReplay,
  planReplayFromScores,
  type OfflineReplayInput,
  type ReplayDrawOptions,
} from './replay/index.js';
export { onlineReplaySchedule, type OnlineReplaySchedule, type OnlineScheduleOptions } from './replay/index.js';
export { replayPlanTable } from './replay/index.js';
export {
  DEFAULT_AUTO_SUPPORT,
  DEFAULT_FACTOR_RANK,
  DEFAULT_PROBES,
  DEFAULT_REPLAY_POLICY,
  DEFAULT_REPLAY_SEED,
  DEFAULT_TEMPERATURE,
  DEFAULT_UNIFORM_FRACTION,
  REPLAY_DEFAULTS,
} from './replay/index.js';
export {
  replayPolicy,
  REPLAY_POLICY_NAMES,
  drawFromPolicy,
  exampleFactors,
  exampleFactorsWith,
  facilityLocation,
  stratifiedSelection,
  bestOfBlocks,
  resolvePolicy,
} from './replay/index.js';
export type {
  ReplayPolicy,
  PolicyInput,
  PolicyContext,
  PolicyWeights,
  PolicyNeed,
  PolicyOption,
  PolicyOptionsGiven,
  ResolvedPolicy,
  BudgetSelection,
} from './replay/index.js';

// # The seed-method modules
export type { BackendOption } from './methods/index.js';
// ## Narrow tuning
export { compareRecipes, type CompareRecipesOptions, type RecipePair, type RecipeSummary } from './methods/index.js';
export { learningForgetting, recovery } from './methods/index.js';
export {
  biasForgettingCorrelation,
  classStatsFromLogits,
  isNumberToken,
  massShift,
  numberTokenIds,
  tokenClassMass,
  tokenLogProbShift,
  type TokenLogps,
} from './methods/index.js';
export { paramFraction, RECIPE_PATTERNS, type RecipeName } from './methods/index.js';
export { parseRecipeTable, type RecipeTable, type RecipeTableOptions } from './methods/index.js';
// ## Update subspaces
export { rankByEnergy, spectrum, spectrumFromSigma, type Spectrum } from './methods/index.js';
export { layerImportance, retentionRanks } from './methods/index.js';
export {
  projectUpdate,
  protectedBasis,
  updateEnergySplit,
  type EnergySplit,
  type ProtectedBasis,
} from './methods/index.js';
export { layerReport, type LayerInput, type LayerReportOptions, type LayerRow } from './methods/index.js';
// ## Fisher importance
export { diagonalFisher, fisherByTensor, meanGradient, type LayoutEntry } from './methods/index.js';
export { forgettingConfidence, rankByConfidence, selectForgetSubset, unlearnSchedule } from './methods/index.js';
export { ewcPenalty, fisherCosine, topImportanceOverlap } from './methods/index.js';
export { compareFisher, type FisherComparison, type FisherTensorRow, type NamedVector } from './methods/index.js';
// ## Interpolated LoRA and dual memory
export { emaLambda, emaRun, emaStep } from './methods/index.js';
export { factorMergeError, interpolateFactors, interpolateLora, loraDelta, type LoraPair } from './methods/index.js';
export { alphaGrid, bestTradeoff, consistencyLoss, lossBarrier } from './methods/index.js';
export { DualMemoryBuffer, ReservoirBuffer, weightedReplaySample, type ScoredItem } from './methods/index.js';
export { mergeAdapters, type AdapterTensor, type MergedLayer } from './methods/index.js';

// # Plots (Vega-Lite specs over plain data, SVG without a browser; PNG is in forgetscope/node)
export { CHART_CONFIG, FORGOTTEN_COLOUR, NEUTRAL_COLOUR, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './viz/index.js';
export {
  forgettingHeatmapSpec,
  heatmapData,
  type HeatmapCell,
  type HeatmapData,
  type HeatmapInput,
  type HeatmapOptions,
} from './viz/index.js';
export { screeData, screeSpec, type ScreeInput, type ScreeRow } from './viz/index.js';
export { sourceForgettingSpec, type SourceRow } from './viz/index.js';
export {
  predictedVsTrueData,
  predictedVsTrueSpec,
  type PredictedPoint,
  type PredictedVsTrueData,
  type PredictedVsTrueInput,
} from './viz/index.js';
export { rmseVersusKSpec, type RmseCurvePoint } from './viz/index.js';
export {
  replayWeightDistributionSpec,
  topReplayedData,
  topReplayedSpec,
  weightDistributionData,
  type ReplayWeightsInput,
  type TopReplayedInput,
  type TopReplayedRow,
  type WeightBin,
  type WeightDistributionData,
} from './viz/index.js';
export {
  replayScoreDistributionSpec,
  scoreDistributionData,
  type ReplayStatus,
  type ScoreBin,
  type ScoreDistributionData,
} from './viz/index.js';
export { compileVegaLite, renderSvg, type CompiledSpec } from './viz/index.js';

// # The HTML audit report
export {
  assembleReport,
  type AssembledReport,
  type AssembleReportOptions,
  type ReportEvaluationOptions,
  type ReportReplayOptions,
} from './report/index.js';
export { buildReportHtml, type BuildReportOptions } from './report/index.js';
export { runReport, type ReportPlan, type ReportRun, type ReportRunOptions } from './report/index.js';
export type {
  ReportCorrelation,
  ReportData,
  ReportDataset,
  ReportEvaluation,
  ReportForgottenExample,
  ReportMethodScores,
  ReportModelFit,
  ReportProvenance,
  ReportReadSummary,
  ReportReplay,
  ReportStructure,
  ReportTask,
  ReportValue,
} from './report/index.js';
