/**
 * The WGSL both NT-product shaders (`ntProduct.wgsl.ts`, `ntProductDirect.wgsl.ts`) share: the
 * parameter block and bindings the launcher fills, and the stores of a 4×4 output block, which skip
 * what falls outside the R×C output.
 */

/** The `Params` uniform and the four bindings (X, Y, Out, P) of an NT-product shader. */
export const NT_PRODUCT_BINDINGS_WGSL = /* wgsl */ `
struct Params {
  rows: u32,   // R
  cols: u32,   // C
  depth: u32,  // K (padded to a multiple of 4)
  slab: u32,   // columns per slab (multiple of 16)
  upper: u32,  // 1: skip tiles strictly below the diagonal (X = Y)
  outOffset: u32,
  pad0: u32,
  pad1: u32,
};

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> Y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> Out: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
`;

/**
 * `store(base, r, c, v)`: `Out[base + r·C + c + t] = v[t]` for the t < 4 with r < R and c + t < C;
 * `storeBlock(z, r0, c0, v0, v1, v2, v3)` stores the 4×4 block at (r0, c0) of slab z's output, row r0 + t
 * from v_t.
 */
export const NT_PRODUCT_STORE_WGSL = /* wgsl */ `
fn store(base: u32, r: u32, c: u32, v: vec4<f32>) {
  if (r >= P.rows) { return; }
  let o = base + r * P.cols;
  if (c + 0u < P.cols) { Out[o + c + 0u] = v.x; }
  if (c + 1u < P.cols) { Out[o + c + 1u] = v.y; }
  if (c + 2u < P.cols) { Out[o + c + 2u] = v.z; }
  if (c + 3u < P.cols) { Out[o + c + 3u] = v.w; }
}

fn storeBlock(z: u32, r0: u32, c0: u32, v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>) {
  let base = P.outOffset + z * P.rows * P.cols;
  store(base, r0 + 0u, c0, v0);
  store(base, r0 + 1u, c0, v1);
  store(base, r0 + 2u, c0, v2);
  store(base, r0 + 3u, c0, v3);
}
`;
