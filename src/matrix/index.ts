// The forgetting matrix. Internal barrel: the public names are listed in src/index.ts.
export * from './ForgettingMatrix.js';
export * from './exampleEmbedding.js';
