// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
/// <reference types="@webgpu/types" preserve="true" />
import { ForgetscopeError } from '../../util/errors.js';
import { NT_PRODUCT_WGSL } from './ntProduct.wgsl.js';
import { NT_PRODUCT_DIRECT_WGSL } from './ntProductDirect.wgsl.js';

/** A logical row-major operand of an NT product: row r, depth k reads `get(r, k)` via a packer. */
export interface NtOperand {
  /** Logical rows (R for X, C for Y). */
  rows: number;
  /** Logical depth K. */
  depth: number;
  /**
   * Copies logical rows [r0, r1) × depth [k0, k1) as float32 into `dst` with leading dimension `ld`
   * (dst is zero-filled beforehand; padding stays zero).
   */
  pack(r0: number, r1: number, k0: number, k1: number, dst: Float32Array, ld: number): void;
}

/** Tunables of the NT product launcher. */
export interface NtProductLimits {
  /** Bytes one storage binding may hold (min of the device limits and any override). */
  maxBindingBytes: number;
  /** Columns summed in float32 before the host adds the partial in float64 (multiple of 16). */
  slab: number;
  /**
   * `tiled`: 64×64 workgroup tiles through workgroup memory (hardware GPUs); `direct`: barrier-free
   * 32×32 tiles reading storage directly (CPU-emulated adapters such as lavapipe).
   */
  variant: 'tiled' | 'direct';
}

/** Block granularity of row blocks (a multiple of both variants' workgroup tiles). */
const TILE = 64;

/**
 * Runs `Out = X·Yᵀ` (float64 result, nx×ny) on the GPU: X rows × Y rows blocks and depth chunks sized
 * so every binding fits `maxBindingBytes`, one dispatch per chunk with one workgroup layer per slab,
 * results copied to alternating staging buffers and summed on the host in float64 while the next
 * chunk computes. With `symmetric` (X = Y) only tiles on or above the diagonal are computed.
 */
export class NtProductRunner {
  private readonly pipeline: GPUComputePipeline;
  private readonly buffers = new Map<string, GPUBuffer>();
  private disposed = false;
  private readonly wgTile: number;

  /** Compiles the kernel once for `device`. */
  constructor(
    private readonly device: GPUDevice,
    private readonly limits: NtProductLimits,
  ) {
    const code = limits.variant === 'direct' ? NT_PRODUCT_DIRECT_WGSL : NT_PRODUCT_WGSL;
    this.wgTile = limits.variant === 'direct' ? 32 : 64;
    const module = device.createShaderModule({ code, label: 'ntProduct' });
    this.pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: 'ntProduct',
    });
  }

  /** A (reused) buffer of at least `bytes` for a role. */
  private buffer(role: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const existing = this.buffers.get(role);
    if (existing && existing.size >= bytes) return existing;
    existing?.destroy();
    const size = Math.max(256, Math.ceil(bytes / 256) * 256);
    const buf = this.device.createBuffer({ size, usage, label: role });
    this.buffers.set(role, buf);
    return buf;
  }

  /** X·Yᵀ as float64 (nx×ny row-major). */
  async run(
    x: NtOperand,
    y: NtOperand,
    symmetric: boolean,
    onChunk?: (done: number, total: number) => void,
  ): Promise<Float64Array> {
    if (this.disposed) throw new ForgetscopeError('backend', 'webgpu backend used after dispose');
    if (x.depth !== y.depth) throw new ForgetscopeError('shape', `inner dimensions differ (${x.depth} vs ${y.depth})`);
    const nx = x.rows;
    const ny = y.rows;
    const depth = x.depth;
    const out = new Float64Array(nx * ny);
    if (nx === 0 || ny === 0 || depth === 0) return out;
    const limitFloats = Math.floor(this.limits.maxBindingBytes / 4);
    const slab = this.limits.slab;
    // Row blocks: output of one slab must fit a binding, and a block needs at least `slab` depth.
    let rb = Math.min(nx, 4096);
    let cb = Math.min(ny, 4096);
    while (rb * cb > limitFloats || rb * slab > limitFloats || cb * slab > limitFloats) {
      if (rb >= cb && rb > TILE) rb = Math.ceil(rb / 2 / TILE) * TILE;
      else if (cb > TILE) cb = Math.ceil(cb / 2 / TILE) * TILE;
      else
        throw new ForgetscopeError(
          'backend',
          `binding limit ${this.limits.maxBindingBytes} B too small for one ${TILE}×${TILE} tile`,
        );
    }
    if (symmetric) rb = cb = Math.min(rb, cb);
    // Depth chunk: inputs fit one binding; slabs per chunk bounded by the output binding and 65535.
    const maxSlabsOut = Math.max(1, Math.floor(limitFloats / (rb * cb)));
    let chunk = Math.floor(limitFloats / Math.max(rb, cb) / slab) * slab;
    chunk = Math.min(chunk, maxSlabsOut * slab, 65535 * slab, Math.ceil(depth / slab) * slab);
    chunk = Math.max(slab, chunk);

    const blocks: Array<[number, number]> = [];
    for (let i0 = 0; i0 < nx; i0 += rb) {
      for (let j0 = symmetric ? i0 : 0; j0 < ny; j0 += cb) blocks.push([i0, j0]);
    }
    const chunksPerBlock = Math.ceil(depth / chunk);
    const total = blocks.length * chunksPerBlock;

    const usageIn = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const xBuf = this.buffer('x', rb * chunk * 4, usageIn);
    const shareY = symmetric && blocks.length === 1;
    const yBuf = shareY ? xBuf : this.buffer('y', cb * chunk * 4, usageIn);
    const maxOutFloats = Math.ceil(chunk / slab) * rb * cb;
    const outBuf = this.buffer('out', maxOutFloats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const staging = [0, 1].map((s) =>
      this.buffer(`staging${s}`, maxOutFloats * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
    );
    const params = this.buffer('params', 32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const bindGroup = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: xBuf } },
        { binding: 1, resource: { buffer: yBuf } },
        { binding: 2, resource: { buffer: outBuf } },
        { binding: 3, resource: { buffer: params } },
      ],
    });
    const xHost = new Float32Array(rb * chunk);
    const yHost = shareY ? xHost : new Float32Array(cb * chunk);

    let pending: {
      staging: GPUBuffer;
      done: Promise<void>;
      i0: number;
      j0: number;
      r: number;
      c: number;
      slabs: number;
      diag: boolean;
    } | null = null;
    const drain = async () => {
      if (!pending) return;
      const p = pending;
      pending = null;
      await p.done;
      const partial = new Float32Array(p.staging.getMappedRange(0, p.slabs * p.r * p.c * 4));
      for (let s = 0; s < p.slabs; s++) {
        const base = s * p.r * p.c;
        for (let i = 0; i < p.r; i++) {
          const o = (p.i0 + i) * ny + p.j0;
          const b = base + i * p.c;
          for (let j = p.diag ? i : 0; j < p.c; j++) out[o + j]! += partial[b + j]!;
        }
      }
      p.staging.unmap();
    };

    let step = 0;
    for (const [i0, j0] of blocks) {
      const r = Math.min(rb, nx - i0);
      const c = Math.min(cb, ny - j0);
      const diag = symmetric && i0 === j0;
      for (let k0 = 0; k0 < depth; k0 += chunk) {
        const k1 = Math.min(depth, k0 + chunk);
        const width = Math.ceil((k1 - k0) / 4) * 4;
        const slabs = Math.ceil(width / slab);
        xHost.fill(0, 0, r * width);
        x.pack(i0, i0 + r, k0, k1, xHost, width);
        this.device.queue.writeBuffer(xBuf, 0, xHost.buffer, xHost.byteOffset, r * width * 4);
        if (!shareY) {
          yHost.fill(0, 0, c * width);
          y.pack(j0, j0 + c, k0, k1, yHost, width);
          this.device.queue.writeBuffer(yBuf, 0, yHost.buffer, yHost.byteOffset, c * width * 4);
        }
        const paramData = new Uint32Array([r, c, width, slab, diag ? 1 : 0, 0, 0, 0]);
        this.device.queue.writeBuffer(params, 0, paramData);
        const enc = this.device.createCommandEncoder();
        const pass = enc.beginComputePass();
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(Math.ceil(c / this.wgTile), Math.ceil(r / this.wgTile), slabs);
        pass.end();
        const st = staging[step % 2]!;
        enc.copyBufferToBuffer(outBuf, 0, st, 0, slabs * r * c * 4);
        this.device.queue.submit([enc.finish()]);
        // Sum the previous chunk on the host while this one runs.
        await drain();
        pending = { staging: st, done: st.mapAsync(GPUMapMode.READ, 0, slabs * r * c * 4), i0, j0, r, c, slabs, diag };
        step++;
        onChunk?.(step, total);
      }
    }
    await drain();
    if (symmetric) {
      for (let i = 0; i < nx; i++) for (let j = 0; j < i; j++) out[i * ny + j] = out[j * ny + i]!;
    }
    return out;
  }

  /** Frees every buffer. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
}
