// `npm run bench -- linalg stream [--rows 1000] [--cols 10000000] [--chunk W] [--in-flight 1024] [--cold] [--backend cpu|webgpu] [--generate-only]`
// Generates (once) a rows×cols float32 .npy file in bench/data/ (C order, git-ignored), then computes
// its Gram matrix and top-10 spectrum with topSVDStream reading column chunks (W columns; default: the
// reader's 64 MiB budget), and reports wall and process CPU time, GFLOPS, the peak resident set size
// and the bytes the process read from the disk (Linux /proc/self/io). `--cold` first drops the file
// from the page cache (posix_fadvise DONTNEED through python3), so the run reads it from the disk.
// Check: trace(Gram) must equal Σx² accumulated while generating.
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  existsSync,
  statfsSync,
  openSync,
  writeSync,
  closeSync,
  renameSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyColumnChunks, resolveNodeBackend } from '../../dist/node.js';
import { topSVDStream } from '../../dist/linalg/stream.js';
import { flag, opt } from '../args.js';

const here = dirname(fileURLToPath(import.meta.url));
const rows = Number(opt('rows', '1000'));
const cols = Number(opt('cols', '10000000'));
const chunkFlag = opt('chunk', undefined);
const chunk = chunkFlag === undefined ? undefined : Number(chunkFlag);
const inFlight = Number(opt('in-flight', '1024'));
const kind = opt('backend', 'cpu');
const dataDir = join(here, '..', 'data');
mkdirSync(dataDir, { recursive: true });
const file = join(dataDir, `stream_${rows}x${cols}.npy`);
const sumFile = `${file}.sumsq.json`;

if (!existsSync(file) || !existsSync(sumFile)) {
  const bytes = rows * cols * 4 + 128;
  const fs = statfsSync(dataDir);
  const free = fs.bavail * fs.bsize;
  if (free < bytes + 5 * 2 ** 30) {
    console.error(
      `not enough disk for ${(bytes / 2 ** 30).toFixed(1)} GiB (+5 GiB margin): ${(free / 2 ** 30).toFixed(1)} GiB free`,
    );
    process.exit(1);
  }
  console.error(`writing ${file} (${(bytes / 2 ** 30).toFixed(1)} GiB)…`);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = Buffer.alloc(10 + header.length);
  head.set([0x93, 78, 85, 77, 80, 89, 1, 0, header.length & 255, header.length >> 8]);
  head.write(header, 10, 'latin1');
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, head);
  const piece = new Float32Array(1 << 22);
  let s = 0x9e3779b9;
  let sumsq = 0;
  const t0 = performance.now();
  for (let i = 0; i < rows; i++) {
    // a planted low-rank part (row-dependent scales) plus noise, so the spectrum has structure
    const scale = 1 + (i % 10);
    for (let c0 = 0; c0 < cols; c0 += piece.length) {
      const w = Math.min(piece.length, cols - c0);
      for (let t = 0; t < w; t++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        const noise = (s >>> 0) / 4294967296 - 0.5;
        const v = Math.fround(scale * (((c0 + t) % 7) - 3) * 0.1 + noise);
        piece[t] = v;
        sumsq += v * v;
      }
      writeSync(fd, new Uint8Array(piece.buffer, 0, w * 4));
    }
    if (i % 50 === 0) console.error(`  row ${i}/${rows} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  closeSync(fd);
  renameSync(tmp, file);
  writeFileSync(sumFile, JSON.stringify({ sumsq }));
}

if (flag('generate-only')) process.exit(0);
const { sumsq } = JSON.parse(readFileSync(sumFile, 'utf8'));
if (flag('cold')) {
  const evict =
    'import os, sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\nos.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\nos.close(fd)';
  execFileSync('python3', ['-c', evict, file], { stdio: 'inherit' });
}
const diskRead = () => {
  try {
    return Number(/read_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};
const load0 = loadavg()[0];
const read0 = diskRead();
const cpu0 = process.cpuUsage();
const backend = await resolveNodeBackend({
  requested: kind,
  problem: { rows, cols },
  warn: (m) => console.error(`warning: ${m}`),
});
let lastPct = -1;
const loads = [];
const t = performance.now();
const r = await topSVDStream(backend, readNpyColumnChunks(file, { chunkCols: chunk, maxInFlight: inFlight }), 10, {
  totalCols: cols,
  progress: (done, total) => {
    const pct = Math.floor((100 * done) / total);
    if (pct !== lastPct && pct % 5 === 0) {
      lastPct = pct;
      loads.push(loadavg()[0]);
      console.error(
        `  ${pct}% (${((performance.now() - t) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, load ${loads[loads.length - 1].toFixed(2)})`,
      );
    }
  },
});
const seconds = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpu0);
const bytesRead = diskRead() - read0;
const load1 = loadavg()[0];
await backend.dispose();
let trace = 0;
for (let i = 0; i < rows; i++) trace += r.gram[i * rows + i];
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
const result = {
  file: `bench/data/${file.split('/').pop()}`,
  rows,
  cols,
  chunkCols: chunk ?? 'default (64 MiB)',
  inFlight,
  backend: backend.name,
  backendDescription: backend.description,
  seconds,
  cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
  diskReadGB: bytesRead / 1e9,
  fileGB: (rows * cols * 4) / 1e9,
  loadAverage1min: {
    start: load0,
    end: load1,
    meanOfSamples: loads.reduce((a, b) => a + b, 0) / Math.max(loads.length, 1),
  },
  gflops: (2 * rows * rows * cols) / seconds / 1e9,
  peakRssMiB,
  traceRelativeError: Math.abs(trace - sumsq) / sumsq,
  top10: Array.from(r.s),
};
console.log(JSON.stringify(result, null, 2));
process.exit(0);
