/**
 * Example embeddings travel as numeric example metadata `embedding.0`, `embedding.1`, …: one number
 * per example and key. This is their one home: the readers keep such columns of a long table as
 * example metadata (other numeric columns are not metadata), and `lowrank`'s example effects take them
 * as covariates (`exampleFeatures`).
 */

/** The prefix of numeric example metadata keys that hold an example embedding (`embedding.0`, …). */
export const EMBEDDING_PREFIX = 'embedding.';

/** Whether `key` names a coordinate of an example embedding: `EMBEDDING_PREFIX` and a non-empty rest. */
export function isEmbeddingKey(key: string): boolean {
  return key.length > EMBEDDING_PREFIX.length && key.startsWith(EMBEDDING_PREFIX);
}
