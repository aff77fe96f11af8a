/** A tiny seeded generator for test data (the library's mulberry32), so every random test input is reproducible. */
export { mulberry32 as mulberry } from '../../src/linalg/random.js';
