export * from './types.js';
export * from './random.js';
export * from './softmax.js';
export * from './replayCount.js';
export * from './topK.js';
export * from './sample.js';
export * from './offline.js';
export * from './online.js';
