import { EMBEDDING_PREFIX, isEmbeddingKey } from '../../src/matrix/exampleEmbedding.js';

describe('isEmbeddingKey', () => {
  test('the prefix and a non-empty rest', () => {
    expect(EMBEDDING_PREFIX).toBe('embedding.');
    expect(isEmbeddingKey('embedding.0')).toBe(true);
    expect(isEmbeddingKey('embedding.17')).toBe(true);
    expect(isEmbeddingKey('embedding.x')).toBe(true);
  });
  test('not the bare prefix, another case, or a key that only contains it', () => {
    expect(isEmbeddingKey('embedding.')).toBe(false);
    expect(isEmbeddingKey('embedding')).toBe(false);
    expect(isEmbeddingKey('Embedding.0')).toBe(false);
    expect(isEmbeddingKey('x.embedding.0')).toBe(false);
    expect(isEmbeddingKey('source')).toBe(false);
  });
});
