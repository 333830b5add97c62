"""Multi-threaded program that forks and execs, for the real-program tests.

Several threads allocate continuously while other threads spawn child
processes (fork+exec through subprocess, which inherits LD_PRELOAD) and fork
without exec (the child allocates, then leaves with os._exit).  A fork taken
while another thread holds an allocator lock deadlocks or corrupts the child
unless the allocator is fork-safe.  Output is collected per task and printed
in a fixed order, so it is deterministic.
"""
import hashlib
import os
import subprocess
import sys
import threading

EXEC_TASKS = 12
FORK_TASKS = 12
CHURN_THREADS = 3

stop = threading.Event()
results = {}
lock = threading.Lock()


def churn(tid):
    # allocate and free objects of many sizes until told to stop
    rounds = 0
    keep = []
    while not stop.is_set() or rounds < 20:
        block = [bytes(((tid + i) % 251,)) * (16 + (i * 37) % 5000) for i in range(200)]
        keep.append({str(i): b for i, b in enumerate(block[::7])})
        if len(keep) > 8:
            keep.pop(0)
        rounds += 1
    with lock:
        results["churn%d" % tid] = "ok"


def spawn(n):
    # fork+exec: a child that itself allocates (sort, and a python child)
    data = "".join("%d\n" % ((i * 7919 + n) % 1000) for i in range(2000))
    out = subprocess.run(["sort", "-n", "-u"], input=data, capture_output=True, text=True, check=True).stdout
    code = "import sys; print(sum(len(str(i)) for i in range(%d)))" % (10000 + n)
    py = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    with lock:
        results["exec%02d" % n] = "%d %s %s" % (len(out.split()), hashlib.md5(out.encode()).hexdigest()[:8], py.strip())


def fork_only(n):
    # fork without exec from a thread: the child allocates under the parent's allocator state
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            items = {i: ("x%d" % i) * (1 + i % 40) for i in range(20000)}
            msg = "%d %d" % (len(items), sum(len(v) for v in items.values()))
            os.write(w, msg.encode())
            os._exit(n % 7)
        except BaseException:
            os._exit(100)
    os.close(w)
    with os.fdopen(r) as f:
        msg = f.read()
    _, status = os.waitpid(pid, 0)
    with lock:
        results["fork%02d" % n] = "%s exit=%s" % (msg, os.waitstatus_to_exitcode(status))


def main():
    churners = [threading.Thread(target=churn, args=(t,)) for t in range(CHURN_THREADS)]
    workers = [threading.Thread(target=spawn, args=(n,)) for n in range(EXEC_TASKS)]
    workers += [threading.Thread(target=fork_only, args=(n,)) for n in range(FORK_TASKS)]
    for t in churners + workers:
        t.start()
    for t in workers:
        t.join()
    stop.set()
    for t in churners:
        t.join()
    for key in sorted(results):
        print(key, results[key])
    return 0


if __name__ == "__main__":
    sys.exit(main())
