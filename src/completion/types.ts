import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import type { Backend } from '../linalg/types.js';
import type { ProgressSink } from '../util/progress.js';
import type { SideMatrices, SideRow } from '../matrix/sideMatrices.js';

/** The measured entries of a new task's row: column indices (ascending, distinct) and their values. */
export interface KnownEntries {
  columns: Int32Array;
  values: Float64Array;
  /**
   * The new task's side values (one length-N row per side matrix the method was fitted with, by
   * name): known before any of its entries is measured. Methods fitted without side ignore it.
   */
  side?: SideRow;
}

/** A completed row: a prediction for every column, with an optional interval. */
export interface RowPrediction {
  prediction: Float64Array;
  /** Lower bound of the prediction interval, when the method gives one. */
  lower?: Float64Array;
  /** Upper bound of the prediction interval, when the method gives one. */
  upper?: Float64Array;
  /**
   * Fitted with side matrices and choosing among them (`lowrank`): the names of those this
   * prediction used (empty: none). Absent for methods that do not choose.
   */
  sideKept?: readonly string[];
}

/** Options every method's `fit` accepts; methods add their own. */
export interface FitOptions {
  /** Seed of every random step of the method. */
  seed?: number;
  backend?: Backend;
  progress?: ProgressSink;
  /** Side matrices aligned with the train rows (same rows and columns); methods that use side read them. */
  side?: SideMatrices;
}

/** A method fitted on the train rows, ready to complete new rows. */
export interface FittedCompletion {
  /** Completes one new row from its measured entries. */
  predictRow(known: KnownEntries, options?: { seed?: number }): Promise<RowPrediction>;
  /** Scores are logits / classifier scores rather than forgetting values (lgmf): no RMSE. */
  readonly scoresOnly?: boolean;
}

/**
 * A completion method: the same fit/predict shape for every method (scikit-learn style). Faithful
 * paper methods that refit per test row store the train rows in `fit` and do their per-row fit in
 * `predictRow`.
 */
export interface CompletionMethod<O extends FitOptions = FitOptions> {
  readonly name: string;
  fit(train: ForgettingMatrix, options?: O): Promise<FittedCompletion>;
}
