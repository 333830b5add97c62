"""Allocation-heavy, deterministic Python workload for the real-program tests.

Builds dicts, lists, sets and strings, round-trips JSON, runs regular
expressions and sorts.  Prints only values (never addresses or timings), so a
run under libdebugmalloc must print exactly what a plain run prints.
"""
import collections
import hashlib
import json
import random
import re
import sys


def digest(obj):
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    rng = random.Random(12345)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 12)))
             for _ in range(20000 * scale)]

    # dicts and strings: word counts, many small and medium string objects
    counts = collections.Counter(words)
    index = {}
    for i, w in enumerate(words):
        index.setdefault(w[:2], []).append(i)
    print("words", len(words), "distinct", len(counts), "prefixes", len(index))
    print("top", counts.most_common(5))

    # nested structures through JSON, several rounds of dumps/loads
    records = [{"id": i, "name": words[i], "tags": words[i:i + 5], "score": (i * 7919) % 1000 / 7.0,
                "nested": {"a": [i, i * 2, {"b": str(i)}], "ok": i % 3 == 0}}
               for i in range(0, len(words) - 5, 2)]
    text = json.dumps(records, sort_keys=True)
    for _ in range(3):
        text = json.dumps(json.loads(text), sort_keys=True, indent=1)
    back = json.loads(text)
    print("json", len(text), digest(back[:50]), back == records)

    # regular expressions: findall, sub with a callable, split
    blob = " ".join(words)
    vowels = re.findall(r"\b[aeiou]\w{3,}\b", blob)
    swapped = re.sub(r"(\w)(\w*)(\w)", lambda m: m.group(3) + m.group(2) + m.group(1), blob[:400000])
    parts = re.split(r"[xyz]+", blob)
    print("re", len(vowels), digest(vowels[:100]), len(swapped), digest(swapped[:5000]), len(parts))

    # sorting: by key, by tuple, stable sorts of records, big ints and floats
    by_len = sorted(words, key=lambda w: (len(w), w))
    recs = sorted(records, key=lambda r: (r["score"], r["name"]), reverse=True)
    nums = sorted((rng.getrandbits(200) for _ in range(30000 * scale)))
    print("sort", by_len[:3], by_len[-3:], recs[0]["id"], recs[-1]["id"], digest(nums[:1000]))

    # string building and slicing churn, set algebra
    acc = []
    for i in range(50000 * scale):
        s = "%05d:%s" % (i, words[i % len(words)])
        acc.append(s.upper() if i % 2 else s[::-1])
    joined = "|".join(acc)
    print("strings", len(joined), digest(joined))
    a = set(words[: len(words) // 2])
    b = set(words[len(words) // 3:])
    print("sets", len(a & b), len(a | b), len(a ^ b))

    # list churn: grow, shrink, delete from the middle
    lst = list(range(200000))
    for _ in range(50):
        del lst[1000:3000]
        lst.extend(range(2000))
    print("list", len(lst), sum(lst))


if __name__ == "__main__":
    main()
