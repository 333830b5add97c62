"""Workload for bench/run.sh: dict / list / str churn in CPython.

Run with PYTHONMALLOC=malloc so every object goes through malloc/free
(otherwise pymalloc serves small objects from its own arenas).
usage: python3 py_churn.py [SCALE]     prints one checksum line
"""
import random
import sys

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
rounds = max(1, int(round(5 * scale)))
rng = random.Random(1234)  # fixed seed: same work every run
total = 0
for r in range(rounds):
    d = {}
    for i in range(20000):
        k = "k%d-%s" % (rng.randrange(30000), "x" * rng.randrange(0, 40))
        d.setdefault(k, []).append(i)
    for k in list(d)[::3]:
        del d[k]
    words = [str(rng.random()) for _ in range(20000)]
    s = ",".join(words)
    parts = s.split(",")
    parts.sort()
    up = [p.upper() + p[::-1] for p in parts[:10000]]
    nested = [[j, str(j), (j, j * 2)] for j in range(15000)]
    sq = {j: {"a": j, "b": [j] * (j % 7)} for j in range(8000)}
    total += len(d) + len(s) + len(up) + sum(len(x[1]) for x in nested) + len(sq)
    total += sum(len(v) for v in d.values())
print("python checksum", total, "rounds", rounds)
