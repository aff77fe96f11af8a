/** Named recipes of seed-000 (which tensors train), as name filters on HF-style parameter names. */
export type RecipeName = 'saProj' | 'saQkv' | 'mlp' | 'mlpGateUp' | 'llm';

/** Name patterns of each named recipe (Qwen2/LLaMA naming; the short forms q, k, ... also match). */
export const RECIPE_PATTERNS: Readonly<Record<RecipeName, readonly RegExp[]>> = {
  saProj: [/(^|\.)(self_attn\.)?(q|k|v|o)(_proj)?(\.|$)/],
  saQkv: [/(^|\.)(self_attn\.)?(q|k|v)(_proj)?(\.|$)/],
  mlp: [/(^|\.)(mlp\.)?(gate|up|down)(_proj)?(\.|$)/],
  mlpGateUp: [/(^|\.)(mlp\.)?(gate|up)(_proj)?(\.|$)/],
  llm: [/.*/],
};

/**
 * Trainable parameter count and fraction of a recipe over a model's parameter shapes.
 * @example paramFraction({ q: [8, 8], up: [16, 8] }, 'saProj') // { trainable: 64, total: 192, fraction: 1/3 }
 */
export function paramFraction(
  shapes: Record<string, readonly number[]>,
  recipe: RecipeName | readonly RegExp[],
): { trainable: number; total: number; fraction: number } {
  const patterns = typeof recipe === 'string' ? RECIPE_PATTERNS[recipe] : recipe;
  let total = 0;
  let trainable = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    total += size;
    if (patterns.some((p) => p.test(name))) trainable += size;
  }
  return { trainable, total, fraction: total ? trainable / total : NaN };
}
