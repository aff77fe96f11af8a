"""Writes the synthetic wide Parquet file of the streamed analyze benchmark (not committed).

Usage: python3 make_wide_parquet.py OUT.parquet TASKS EXAMPLES [ROWS_PER_GROUP]
One row per upstream example: `example` (int64), `source` (string, 7 sources), then one float32
column per task `t0 … t{M-1}` (non-nullable, PLAIN, uncompressed). Values: a rank-20 signal with a
decaying spectrum around a positive mean plus noise (seed 0), written row group by row group so
the generator's memory stays bounded.
"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

out, M, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
group = int(sys.argv[4]) if len(sys.argv) > 4 else 16384
rng = np.random.default_rng(0)
r = 20
u = np.abs(rng.standard_normal((M, 1)))
u = np.hstack([u, rng.standard_normal((M, r - 1))])
scale = 0.4 * 0.7 ** np.arange(r)
fields = [pa.field("example", pa.int64(), nullable=False), pa.field("source", pa.string(), nullable=False)]
fields += [pa.field(f"t{i}", pa.float32(), nullable=False) for i in range(M)]
schema = pa.schema(fields)
names = np.array(["python", "man", "license", "cheader", "markdown", "javascript", "changelog"])
with pq.ParquetWriter(out, schema, compression="none", use_dictionary=False, write_statistics=False) as writer:
    for start in range(0, N, group):
        c = min(group, N - start)
        v = rng.standard_normal((c, r))
        v[:, 0] = np.abs(v[:, 0])
        block = (v * scale) @ u.T + 0.05 * rng.standard_normal((c, M))  # c × M (examples × tasks)
        block = block.astype(np.float32)
        cols = [pa.array(np.arange(start, start + c, dtype=np.int64)), pa.array(names[np.arange(start, start + c) % 7])]
        cols += [pa.array(block[:, i]) for i in range(M)]
        writer.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=group)
print(out)
