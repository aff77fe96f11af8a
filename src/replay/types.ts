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
  /** Number of examples drawn (`int(n · ratio) + 1`), when the plan was made from a fine-tuning size. */
  replayN?: number;
  /** Replay ratio used, when the plan was made from a fine-tuning size. */
  ratio?: number;
  /** 1 where the example is excluded from replay (weight 0), when an exclusion list was given. */
  excluded?: Uint8Array;
  /** Name of the replay policy that made the weights (`softmax`, `auto`, `coverage` …). */
  policy?: string;
  /** 1 where the score is a measured value rather than a prediction. */
  measured?: Uint8Array;
}
