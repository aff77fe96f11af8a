/** A replay plan: what the training job reads. Writers turn it into Parquet/Arrow/CSV/npy. */
export interface ReplayPlan {
  /** Example ids, length N, in the order of the other arrays. */
  exampleIds: readonly string[];
  /** Replay probability per example (sums to 1; excluded examples 0). */
  weights: Float64Array;
  /** Score per example: the measured value where observed, else the prediction. */
  scores: Float64Array;
  /** Indices of the examples drawn for replay, in (shuffled) replay order. */
  selected: Int32Array;
  temperature: number;
  method: string;
  seed: number;
}
