import { NT_PRODUCT_BINDINGS_WGSL, NT_PRODUCT_STORE_WGSL } from './ntProductIo.wgsl.js';

/**
 * WGSL of the one GPU kernel: slab-partial "NT" products `Out[z][i][j] = Σ_{k∈slab z} X[i][k]·Y[j][k]`
 * (X is R×K, Y is C×K, both row-major float32 with K padded to a multiple of 4, read as vec4).
 * Gram (X = Y, upper triangle of tiles only), GEMM (host packs op(A) and op(B)ᵀ) and the masked sums
 * all reduce to it. Each workgroup of 16×16 invocations owns a 64×64 output tile; each invocation a 4×4
 * register block held in four vec4 accumulators; X and Y tiles of 64 rows × 16 k go through workgroup
 * memory. Every slab (`z`) is a separate short float32 sum that the host adds up in float64 — the
 * accuracy strategy that keeps long Gram rows within ~1e-6 of float64.
 */
export const NT_PRODUCT_WGSL = /* wgsl */ `
${NT_PRODUCT_BINDINGS_WGSL}
const TILE: u32 = 64u;
const KT: u32 = 16u;

// [k][row / 4] as vec4 over 4 consecutive rows
var<workgroup> As: array<array<vec4<f32>, 16>, 16>;
var<workgroup> Bs: array<array<vec4<f32>, 16>, 16>;

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  if (P.upper == 1u && wg.y > wg.x) {
    return;
  }
  let rowBase = wg.y * TILE;
  let colBase = wg.x * TILE;
  let kBegin = wg.z * P.slab;
  let kEnd = min(kBegin + P.slab, P.depth);
  let ld4 = P.depth / 4u;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);

  // loader mapping: 256 invocations, each moves one vec4 (4 k's of one row) of X and of Y
  let lr = li / 4u;        // row in tile, 0..63
  let lq = li % 4u;        // k quad, 0..3

  for (var k0 = kBegin; k0 < kEnd; k0 = k0 + KT) {
    let gk = k0 + lq * 4u;
    var xv = vec4<f32>(0.0);
    var yv = vec4<f32>(0.0);
    if (gk < kEnd) {
      let xr = rowBase + lr;
      if (xr < P.rows) { xv = X[xr * ld4 + gk / 4u]; }
      let yr = colBase + lr;
      if (yr < P.cols) { yv = Y[yr * ld4 + gk / 4u]; }
    }
    let q = lr / 4u;
    let e = lr % 4u;
    As[lq * 4u + 0u][q][e] = xv.x;
    As[lq * 4u + 1u][q][e] = xv.y;
    As[lq * 4u + 2u][q][e] = xv.z;
    As[lq * 4u + 3u][q][e] = xv.w;
    Bs[lq * 4u + 0u][q][e] = yv.x;
    Bs[lq * 4u + 1u][q][e] = yv.y;
    Bs[lq * 4u + 2u][q][e] = yv.z;
    Bs[lq * 4u + 3u][q][e] = yv.w;
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk = kk + 1u) {
      let a = As[kk][lid.y];
      let b = Bs[kk][lid.x];
      acc0 = fma(vec4<f32>(a.x), b, acc0);
      acc1 = fma(vec4<f32>(a.y), b, acc1);
      acc2 = fma(vec4<f32>(a.z), b, acc2);
      acc3 = fma(vec4<f32>(a.w), b, acc3);
    }
    workgroupBarrier();
  }

  let r0 = rowBase + lid.y * 4u;
  let c0 = colBase + lid.x * 4u;
  storeBlock(wg.z, r0, c0, acc0, acc1, acc2, acc3);
}
${NT_PRODUCT_STORE_WGSL}`;
