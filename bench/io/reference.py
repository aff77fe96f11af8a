"""The io benchmark's reference: read a long table with pandas (CSV) or pyarrow (Parquet, Arrow) and
pivot it to a tasks x examples matrix of Z = nll_after - nll_before; embedding.<i> columns, when the
table has them, are taken once per example (first row of each example). Prints one JSON line:
{"seconds", "maxRssMB", "shape"}."""
import json
import resource
import sys
import time

import pandas as pd
import pyarrow.feather as feather
import pyarrow.parquet as pq

path, fmt = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if fmt == "csv":
    df = pd.read_csv(path, dtype={"task": str, "example": str})
elif fmt == "parquet":
    df = pq.read_table(path).to_pandas()
elif fmt == "arrow":
    df = feather.read_table(path).to_pandas()
else:
    raise SystemExit(f"unknown format {fmt}")
df["delta"] = df["nll_after"] - df["nll_before"]
z = df.pivot(index="task", columns="example", values="delta").to_numpy()
emb_cols = [c for c in df.columns if str(c).startswith("embedding.")]
if emb_cols:
    emb = df.drop_duplicates("example").set_index("example")[emb_cols].to_numpy()
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "shape": list(z.shape)}))
