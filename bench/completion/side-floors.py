#!/usr/bin/env python3
"""Full-row span floors of the fixture (issue 12), numpy float64: for each test task, the best least-squares
prediction of its *whole* row inside the span of the train rows plus an intercept (all columns known),
without and with the task's own side row(s) as extra regressors. RMSE pooled over test rows × columns.
Usage: python3 bench/completion/side-floors.py SPLITS.json [--side first_order]   (SPLITS.json: written by side.js)"""
import json, sys, pathlib
import numpy as np

root = pathlib.Path(__file__).resolve().parents[2] / 'fixtures' / 'real-dev-v1'
args = sys.argv[1:]
names = args[args.index('--side') + 1].split(',') if '--side' in args else ['first_order']
splits = json.load(open(args[0]))['splits']
Z = np.load(root / 'Z.npy').astype(np.float64)
S = {n: np.load(root / 'side' / f'{n}.npy').astype(np.float64) for n in names}

def floor(train, test, extra):
    err = []
    for i in test:
        X = np.column_stack([np.ones(Z.shape[1]), Z[train].T] + [S[n][i] for n in extra])
        beta, *_ = np.linalg.lstsq(X, Z[i], rcond=None)
        err.append(Z[i] - X @ beta)
    return float(np.sqrt(np.mean(np.concatenate(err) ** 2)))

out = {s['name']: {'span': floor(s['train'], s['test'], []), 'span+side': floor(s['train'], s['test'], names)} for s in splits}
print(json.dumps({'side': names, 'floors': out}, indent=1))
