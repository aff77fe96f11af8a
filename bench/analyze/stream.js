// `npm run bench -- analyze stream [--tasks M] [--examples N] [--file PATH] [--keep]`: analyzeStream over
// a wide Parquet file (one row per example, one float32 column per task) read row group by row group
// with hyparquet; reports time and peak RSS, and the same pass in numpy/pyarrow.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { analyzeStream } from '../../dist/index.js';
import { createNodeCpuBackend } from '../../dist/node.js';

function flag(args, name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

/** Column blocks (M × rows-of-one-row-group) from a wide Parquet file, one row group at a time. */
async function* wideParquetBlocks(path, tasks) {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const columns = Array.from({ length: tasks }, (_, i) => `t${i}`);
  const index = new Map(columns.map((c, i) => [c, i]));
  let groupStart = 0;
  for (const rg of metadata.row_groups) {
    const c = Number(rg.num_rows);
    const data = new Float32Array(tasks * c);
    const sources = new Array(c);
    await parquetRead({
      file,
      metadata,
      rowStart: groupStart,
      rowEnd: groupStart + c,
      columns: [...columns, 'source'],
      onChunk: ({ columnName, columnData, rowStart }) => {
        const off = rowStart - groupStart;
        if (columnName === 'source') {
          for (let k = 0; k < columnData.length; k++) sources[off + k] = columnData[k];
          return;
        }
        data.set(columnData, index.get(columnName) * c + off);
      },
    });
    yield { data, cols: c, exampleMeta: sources.map((source) => ({ source })) };
    groupStart += c;
  }
}

export async function streamBench(args) {
  const tasks = Number(flag(args, '--tasks', '1000'));
  const examples = Number(flag(args, '--examples', '1000000'));
  const dir = mkdtempSync(join(tmpdir(), 'forgetscope-bench-stream-'));
  const path = flag(args, '--file', join(dir, `wide-${tasks}x${examples}.parquet`));
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    if (!existsSync(path)) {
      const t0 = performance.now();
      const gen = spawnSync(
        'python3',
        [join('bench', 'analyze', 'make_wide_parquet.py'), path, String(tasks), String(examples)],
        { env, encoding: 'utf8' },
      );
      if (gen.status !== 0) throw new Error(gen.stderr);
      console.error(
        `wrote ${path} (${(statSync(path).size / 2 ** 30).toFixed(2)} GiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const backend = createNodeCpuBackend();
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    let lastLog = 0;
    const a = await analyzeStream(wideParquetBlocks(path, tasks), {
      tasks,
      ranks: 5,
      backend,
      totalExamples: examples,
      progress: (done, total) => {
        const now = performance.now();
        if (now - lastLog > 30_000) {
          lastLog = now;
          console.error(
            `  ${done}/${total} examples, ${((now - t0) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
          );
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    await backend.dispose();
    const py = spawnSync('python3', [join('bench', 'analyze', 'numpy_stream.py'), path], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const ref = py.status === 0 ? JSON.parse(py.stdout) : { error: py.stderr };
    console.log(
      JSON.stringify({
        case: `${tasks}x${a.examples} float32 wide Parquet, streamed by row group`,
        forgetscope_s: seconds,
        forgetscope_peakRssMiB: peak / 2 ** 20,
        r2: Array.from(a.lowRank.r2),
        sources: a.sources.length,
        numpy: ref,
        maxR2DiffVsNumpy: ref.r2 ? Math.max(...ref.r2.map((x, k) => Math.abs(x - a.lowRank.r2[k]))) : null,
      }),
    );
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}
