"""The Python workload: a few extension modules used a little, then a list of
200 dicts of lists. Run by python3 with its default allocator (pymalloc) and
with PYTHONMALLOC=malloc."""
import ctypes
import json
import re
import sqlite3

db = sqlite3.connect(":memory:")
db.execute("create table t (id integer primary key, name text, score real)")
db.executemany("insert into t (name, score) values (?, ?)", [("n%d" % i, i * 1.5) for i in range(100)])
count, total = db.execute("select count(*), sum(score) from t where name like 'n%'").fetchone()
db.close()

pairs = re.findall(r"(\w+)=(\d+)", "alpha=1 beta=22 gamma=333")
text = json.dumps({"pairs": pairs, "count": count, "total": total, "misc": [1, 2.5, None, "x"]})
assert json.loads(text)["pairs"][1] == ["beta", "22"]

libc = ctypes.CDLL(None)
libc.strlen.restype = ctypes.c_size_t
assert libc.strlen(b"differential") == 12

data = [{"id": i, "values": list(range(i % 10)), "tags": ["t%d" % i, "x"]} for i in range(200)]
print(len(data))
