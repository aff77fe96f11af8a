"""Writes the io benchmark's 10-million-row long table (100 tasks x 100,000 examples, task-major, seed 0)
as CSV, Parquet (snappy, pyarrow defaults) and Arrow IPC (file, uncompressed) into the folder given.
A fourth argument K > 0 adds K float64 columns embedding.0 … embedding.{K-1}, one standard normal value
per example repeated on each task's rows (what collect(example_meta=embedding_meta(...)) writes).
A fifth argument "full" keeps the NLLs at full float64 precision (17 significant digits in CSV, as
collect writes them) instead of rounding them to 5 decimals."""
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq

out = sys.argv[1]
tasks_n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
examples_n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
embeddings_n = int(sys.argv[4]) if len(sys.argv) > 4 else 0
full = len(sys.argv) > 5 and sys.argv[5] == "full"
os.makedirs(out, exist_ok=True)
stem = os.path.join(out, f"long_{tasks_n}x{examples_n}" + (f"_e{embeddings_n}" if embeddings_n else "") + ("_full" if full else ""))
if all(os.path.exists(stem + ext) for ext in (".csv", ".parquet", ".arrow")):
    print(f"{stem}.* exist", file=sys.stderr)
    sys.exit(0)
t0 = time.time()
rng = np.random.default_rng(0)
before = rng.normal(1.5, 0.4, examples_n)
after = before[None, :] + rng.normal(0.4, 0.4, (tasks_n, examples_n))
if not full:
    before, after = np.round(before, 5), np.round(after, 5)
task = pa.array(np.repeat([f"task{i:03d}" for i in range(tasks_n)], examples_n))
example = pa.array(np.tile([str(100_000 + j) for j in range(examples_n)], tasks_n))
table = pa.table({"task": task, "example": example, "nll_before": np.tile(before, tasks_n), "nll_after": after.ravel()})
embedding = rng.standard_normal((examples_n, embeddings_n))
for c in range(embeddings_n):
    table = table.append_column(f"embedding.{c}", pa.array(np.tile(embedding[:, c], tasks_n)))
pq.write_table(table, stem + ".parquet")
feather.write_feather(table, stem + ".arrow", compression="uncompressed")
pacsv.write_csv(table, stem + ".csv", pacsv.WriteOptions(quoting_style="none"))
print(f"wrote {stem}.csv/.parquet/.arrow ({table.num_rows} rows) in {time.time() - t0:.1f}s", file=sys.stderr)
