// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../../util/errors.js';
import type { BackendOption } from '../shared/backend.js';
import { factorMergeError, interpolateLora } from './interpolate.js';

/** A named tensor of an adapter snapshot (PEFT layout: `...lora_A.weight` r × dIn, `...lora_B.weight` dOut × r). */
export interface AdapterTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** Per-layer result of a merge: the factor merge error versus interpolating BA. */
export interface MergedLayer {
  /** The layer prefix (the name before `lora_A`). */
  layer: string;
  rank: number;
  /** ‖ΔW(EMA of A, B) − (λΔW_slow + (1−λ)ΔW_fast)‖_F. */
  factorMergeError: number;
  /** ‖λΔW_slow + (1−λ)ΔW_fast‖_F, to read the error relative to the merged update. */
  deltaNorm: number;
}

/**
 * The I-LoRA EMA merge of two adapter snapshots, tensor by tensor: merged = λ·slow + (1 − λ)·fast
 * (A and B separately, as the method does), and for each lora_A/lora_B pair the factor merge error
 * against interpolating the products BA. `alpha` is the LoRA alpha (scale alpha/r); default r (scale 1).
 */
export async function mergeAdapters(
  slow: readonly AdapterTensor[],
  fast: readonly AdapterTensor[],
  lambda: number,
  options: BackendOption & { alpha?: number } = {},
): Promise<{ merged: AdapterTensor[]; layers: MergedLayer[] }> {
  if (!(lambda >= 0 && lambda <= 1)) throw new ForgetscopeError('usage', `--lambda must be in [0, 1], got ${lambda}`);
  const fastByName = new Map(fast.map((t) => [t.name, t]));
  const slowByName = new Map(slow.map((t) => [t.name, t]));
  for (const t of fast)
    if (!slowByName.has(t.name))
      throw new ForgetscopeError('input', `tensor "${t.name}" is in the fast adapter but not in the slow one`);
  const merged: AdapterTensor[] = slow.map((s) => {
    const f = fastByName.get(s.name);
    if (!f) throw new ForgetscopeError('input', `tensor "${s.name}" is in the slow adapter but not in the fast one`);
    if (f.shape.join('x') !== s.shape.join('x'))
      throw new ForgetscopeError('shape', `tensor "${s.name}": shape [${s.shape}] in slow but [${f.shape}] in fast`);
    const data = new Float32Array(s.data.length);
    for (let i = 0; i < data.length; i++) data[i] = lambda * s.data[i]! + (1 - lambda) * f.data[i]!;
    return { name: s.name, shape: s.shape.slice(), data };
  });
  const layers: MergedLayer[] = [];
  for (const a of slow) {
    const at = a.name.lastIndexOf('lora_A');
    if (at < 0) continue;
    const bName = a.name.slice(0, at) + 'lora_B' + a.name.slice(at + 'lora_A'.length);
    const b = slowByName.get(bName);
    if (!b) throw new ForgetscopeError('input', `"${a.name}" has no matching "${bName}"`);
    if (a.shape.length !== 2 || b.shape.length !== 2 || b.shape[1] !== a.shape[0]) {
      throw new ForgetscopeError(
        'shape',
        `"${a.name}" [${a.shape}] and "${bName}" [${b.shape}] are not a LoRA pair (B's columns must equal A's rows)`,
      );
    }
    const r = a.shape[0]!;
    const alpha = options.alpha ?? r;
    const pair = (ta: AdapterTensor, tb: AdapterTensor) => ({
      A: { rows: r, cols: a.shape[1]!, data: ta.data },
      B: { rows: b.shape[0]!, cols: r, data: tb.data },
      alpha,
    });
    const pSlow = pair(a, b);
    const pFast = pair(fastByName.get(a.name)!, fastByName.get(bName)!);
    // merged = λ·slow + (1−λ)·fast is the point t = 1 − λ on the path slow → fast.
    const t = 1 - lambda;
    const err = await factorMergeError(pSlow, pFast, t, options);
    const d = await interpolateLora(pSlow, pFast, t, 'delta', options);
    let n = 0;
    for (const v of d.data) n += v * v;
    layers.push({
      layer: a.name.slice(0, at).replace(/\.$/, ''),
      rank: r,
      factorMergeError: err,
      deltaNorm: Math.sqrt(n),
    });
  }
  return { merged, layers };
}
