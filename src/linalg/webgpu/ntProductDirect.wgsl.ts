import { NT_PRODUCT_BINDINGS_WGSL, NT_PRODUCT_STORE_WGSL } from './ntProductIo.wgsl.js';

/**
 * WGSL of the barrier-free variant of the NT product (same bindings, parameters and output layout as
 * `ntProduct.wgsl.ts`). Each invocation owns a 4×4 output block and reads its 4 + 4 rows straight
 * from the storage buffers as vec4 along k, with 16 dot-product accumulators: no workgroup memory
 * and no barriers. On CPU-emulated adapters (Mesa lavapipe) barriers are expensive and caches do the
 * tiling, so this variant is several times faster there; on hardware the tiled kernel is used.
 */
export const NT_PRODUCT_DIRECT_WGSL = /* wgsl */ `
${NT_PRODUCT_BINDINGS_WGSL}
// one workgroup = 8×8 invocations = a 32×32 output tile; the launcher dispatches ceil(C/32)×ceil(R/32)
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  if (P.upper == 1u && wg.y > wg.x) {
    return;
  }
  let r0 = gid.y * 4u;
  let c0 = gid.x * 4u;
  if (r0 >= P.rows || c0 >= P.cols) {
    return;
  }
  let ld4 = P.depth / 4u;
  let kBegin = (gid.z * P.slab) / 4u;
  let kEnd = min((gid.z * P.slab + P.slab), P.depth) / 4u;
  // clamp row indices so edge blocks read valid memory (their extra results are not stored)
  let xr0 = min(r0 + 0u, P.rows - 1u) * ld4;
  let xr1 = min(r0 + 1u, P.rows - 1u) * ld4;
  let xr2 = min(r0 + 2u, P.rows - 1u) * ld4;
  let xr3 = min(r0 + 3u, P.rows - 1u) * ld4;
  let yr0 = min(c0 + 0u, P.cols - 1u) * ld4;
  let yr1 = min(c0 + 1u, P.cols - 1u) * ld4;
  let yr2 = min(c0 + 2u, P.cols - 1u) * ld4;
  let yr3 = min(c0 + 3u, P.cols - 1u) * ld4;
  var s0 = vec4<f32>(0.0);
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  var s3 = vec4<f32>(0.0);
  for (var k = kBegin; k < kEnd; k = k + 1u) {
    let b0 = Y[yr0 + k];
    let b1 = Y[yr1 + k];
    let b2 = Y[yr2 + k];
    let b3 = Y[yr3 + k];
    let a0 = X[xr0 + k];
    let a1 = X[xr1 + k];
    let a2 = X[xr2 + k];
    let a3 = X[xr3 + k];
    s0 = s0 + vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
    s1 = s1 + vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
    s2 = s2 + vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
    s3 = s3 + vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
  }
  storeBlock(gid.z, r0, c0, s0, s1, s2, s3);
}
${NT_PRODUCT_STORE_WGSL}`;
