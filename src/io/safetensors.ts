/**
 * Kept only so that `cli/commands/subspace.ts` and `cli/commands/fisher.ts` (owned by the CLI rework)
 * still build: the safetensors codec lives in `io/safetensors/`. Delete this file once they import from there.
 */
export { tensorNameFilter, type Tensor } from './safetensors/safetensors.js';
