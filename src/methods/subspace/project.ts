// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import type { Dense } from '../../linalg/types.js';
import { ForgetscopeError } from '../../util/errors.js';
import { backendOf, sumSquares, type BackendOption } from '../shared/backend.js';

/** The protected (frozen) top-k singular subspace of W. */
export interface ProtectedBasis {
  /** dO × k left singular vectors. */
  Uh: Dense;
  /** dI × k right singular vectors. */
  Vh: Dense;
  /** The k largest singular values. */
  sigmaH: Float64Array;
}

/** The top-k singular triplets of W through the backend (the subspace OSFT freezes). */
export async function protectedBasis(w: Dense, k: number, options: BackendOption = {}): Promise<ProtectedBasis> {
  const d = Math.min(w.rows, w.cols);
  if (!(Number.isInteger(k) && k >= 0 && k <= d))
    throw new ForgetscopeError('usage', `protected rank k = ${k} must be an integer in [0, ${d}]`);
  if (k === 0)
    return {
      Uh: { rows: w.rows, cols: 0, data: new Float64Array(0) },
      Vh: { rows: w.cols, cols: 0, data: new Float64Array(0) },
      sigmaH: new Float64Array(0),
    };
  const svd = await backendOf(options).topSVD(w, k);
  return {
    Uh: { rows: w.rows, cols: svd.k, data: svd.u },
    Vh: { rows: w.cols, cols: svd.k, data: svd.v },
    sigmaH: svd.s,
  };
}

/**
 * Projects an update or gradient G (dO × dI) away from the protected subspace.
 * - 'paper' (default, the paper's formula): G − Uh UhᵀG Vh Vhᵀ (removes only the Uh–Vh block);
 * - 'strict' (what the authors' factor-level code keeps to first order): (I − UhUhᵀ) G (I − VhVhᵀ);
 * - 'left': (I − UhUhᵀ) G.
 * @example await projectUpdate(G, Uh, Vh, 'paper') // its block UhᵀXVh is 0
 */
export async function projectUpdate(
  g: Dense,
  uh: Dense,
  vh: Dense,
  mode: 'paper' | 'strict' | 'left' = 'paper',
  options: BackendOption = {},
): Promise<Dense> {
  if (uh.rows !== g.rows || vh.rows !== g.cols || uh.cols !== vh.cols) {
    throw new ForgetscopeError(
      'shape',
      `projectUpdate: G is ${g.rows}×${g.cols} but Uh is ${uh.rows}×${uh.cols} and Vh ${vh.rows}×${vh.cols}`,
    );
  }
  const out = Float64Array.from(g.data);
  const k = uh.cols;
  if (k === 0) return { rows: g.rows, cols: g.cols, data: out };
  if (mode !== 'paper' && mode !== 'strict' && mode !== 'left')
    throw new ForgetscopeError('usage', `projection mode must be paper, strict or left, got ${String(mode)}`);
  const be = backendOf(options);
  const a = await be.gemm(uh, g, { transA: true }); // k × dI : UhᵀG
  const A: Dense = { rows: k, cols: g.cols, data: a };
  const subtract = (m: Float64Array) => {
    for (let i = 0; i < out.length; i++) out[i]! -= m[i]!;
  };
  if (mode === 'paper') {
    // G − Uh (UhᵀG Vh) Vhᵀ: one dO × dI product, (Uh·B)·Vhᵀ.
    const b = await be.gemm(A, vh); // k × k
    const ub = await be.gemm(uh, { rows: k, cols: k, data: b }); // dO × k
    subtract(await be.gemm({ rows: g.rows, cols: k, data: ub }, vh, { transB: true }));
    return { rows: g.rows, cols: g.cols, data: out };
  }
  subtract(await be.gemm(uh, A)); // (I − UhUhᵀ)G
  if (mode === 'strict') {
    // then ·(I − VhVhᵀ): two dO × dI products in all, instead of three for the expanded form.
    const c = await be.gemm({ rows: g.rows, cols: g.cols, data: out }, vh); // dO × k
    subtract(await be.gemm({ rows: g.rows, cols: k, data: c }, vh, { transB: true }));
  }
  return { rows: g.rows, cols: g.cols, data: out };
}

/** How the energy of an update ΔW splits against the protected subspace (fractions of ‖ΔW‖²_F). */
export interface EnergySplit {
  /** ‖UhᵀΔW Vh‖²/‖ΔW‖² (the block the paper's projection removes). */
  protectedFrac: number;
  /** ‖UhᵀΔW‖²/‖ΔW‖². */
  leftFrac: number;
  /** ‖ΔW Vh‖²/‖ΔW‖². */
  rightFrac: number;
  /** ‖(I−P_U)ΔW(I−P_V)‖²/‖ΔW‖² (= 1 − left − right + protected, by orthogonality of the four blocks). */
  strictFreeFrac: number;
  /** ‖UhᵀΔW Vh‖_F / ‖Σ_h‖_F (the protected block's perturbation relative to its own size). */
  interference: number;
}

/**
 * Splits ‖ΔW‖² into the protected block, the left/right spans and the strictly free part, with three
 * thin products (no dO × dI intermediate).
 */
export async function updateEnergySplit(
  dw: Dense,
  basis: ProtectedBasis,
  options: BackendOption = {},
): Promise<EnergySplit> {
  const { Uh: uh, Vh: vh, sigmaH } = basis;
  if (uh.rows !== dw.rows || vh.rows !== dw.cols)
    throw new ForgetscopeError(
      'shape',
      `updateEnergySplit: ΔW is ${dw.rows}×${dw.cols} but the basis is for ${uh.rows}×${vh.rows}`,
    );
  const total = sumSquares(dw.data);
  const k = uh.cols;
  // A zero update has no energy to split (fractions undefined: NaN, printed as null); its interference is 0.
  if (total === 0) return { protectedFrac: NaN, leftFrac: NaN, rightFrac: NaN, strictFreeFrac: NaN, interference: 0 };
  if (k === 0) return { protectedFrac: 0, leftFrac: 0, rightFrac: 0, strictFreeFrac: 1, interference: 0 };
  const be = backendOf(options);
  const a = await be.gemm(uh, dw, { transA: true }); // k × dI
  const c = await be.gemm(dw, vh); // dO × k
  const b = await be.gemm({ rows: k, cols: dw.cols, data: a }, vh); // k × k
  const left = sumSquares(a) / total;
  const right = sumSquares(c) / total;
  const prot = sumSquares(b) / total;
  return {
    protectedFrac: prot,
    leftFrac: left,
    rightFrac: right,
    strictFreeFrac: Math.max(0, 1 - left - right + prot),
    interference: Math.sqrt(sumSquares(b)) / Math.sqrt(sumSquares(sigmaH)),
  };
}
