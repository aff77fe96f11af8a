// `node bench/linalg/simd.js` (after `npm run build`): the cpu backend's gram at 85×141,871 on one
// thread, scalar JavaScript kernel versus the WASM SIMD float64 kernel versus the relaxed-SIMD float32
// kernel (where the runtime has relaxed SIMD: Node ≥ 22), median of 3 runs, with process CPU seconds
// (meaningful when the machine is shared).
import { createCpuBackend, createInlineRunner } from '../../dist/linalg/index.js';

const m = 85;
const n = 141871;
const data = new Float32Array(m * n);
let s = 1;
for (let i = 0; i < data.length; i++) {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  data[i] = (s >>> 0) / 2147483648 - 1;
}
const a = { rows: m, cols: n, data };
const variants = [
  ['scalar JS', { simd: 'never' }],
  ['wasm SIMD f64', { simd: 'always', relaxed: 'never' }],
];
if (createInlineRunner().relaxed) variants.push(['relaxed SIMD f32', { simd: 'always' }]);
else console.log(`relaxed SIMD unavailable on node ${process.version}: float64 kernels only`);
for (const [name, opts] of variants) {
  const b = createCpuBackend({ runner: createInlineRunner(opts) });
  await b.gram(a);
  const wall = [];
  const cpu = [];
  for (let r = 0; r < 3; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await b.gram(a);
    wall.push((performance.now() - t) / 1000);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1e6);
  }
  const med = (xs) => [...xs].sort((p, q) => p - q)[1];
  const flops = 2 * m * m * n;
  console.log(
    `${name}: median ${med(wall).toFixed(3)} s (${(flops / med(wall) / 1e9).toFixed(2)} GFLOPS wall), CPU ${med(cpu).toFixed(3)} s (${(flops / med(cpu) / 1e9).toFixed(2)} GFLOPS per CPU-second)`,
  );
}
