#!/usr/bin/env python3
"""Python peer for the start and seed benchmarks (see StartBenchmarks.cs).

start: --count children of /bin/sleep for a pseudo-random 1.2-1.3 s each (the same sequence as
       StartBenchmarks.Durations), started back to back with subprocess.Popen, then all waited for.
seed:  samples/Seed000.Background: Popen("sleep S; echo S", shell=True, stdout=PIPE, stderr=PIPE)
       for each, then communicate() with each in turn, checking what it printed.

Prints one JSON line.
"""
import argparse
import json
import subprocess
import time


def durations(count, low, high, digits):
    x = 300
    result = []
    for _ in range(count):
        x = (x * 1103515245 + 12345) % (1 << 31)
        result.append(f"{low + (high - low) * x / (1 << 31):.{digits}f}")
    return result


def sleep(sleeps):
    start = time.perf_counter()
    procs = [subprocess.Popen(["/bin/sleep", s]) for s in sleeps]
    started = time.perf_counter() - start
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"pid {proc.pid} returned {proc.returncode}")
    return started, time.perf_counter() - start


def seed(sleeps):
    start = time.perf_counter()
    jobs = [subprocess.Popen(f"sleep {s}; echo {s}", shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in sleeps]
    started = time.perf_counter() - start
    for job, s in zip(jobs, sleeps):
        out, _ = job.communicate()
        if job.returncode != 0 or out != f"{s}\n".encode():
            raise SystemExit(f"pid {job.pid} returned {job.returncode} and printed {out!r}")
    return started, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--sleep-min", type=float, default=1.2)
    parser.add_argument("--sleep-max", type=float, default=1.3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--seed", action="store_true", help="the Seed000 workload instead of plain /bin/sleep")
    args = parser.parse_args()
    for _ in range(args.warmup):
        if args.seed:
            subprocess.run("echo 1", shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        else:
            subprocess.Popen(["/bin/true"]).wait()

    sleeps = durations(args.count, args.sleep_min, args.sleep_max, 2 if args.seed else 3)
    started, total = (seed if args.seed else sleep)(sleeps)
    print(json.dumps({
        "bench": "seed" if args.seed else "start",
        "impl": "python",
        "count": args.count,
        "sleep_min": args.sleep_min,
        "sleep_max": args.sleep_max,
        "start_seconds": round(started, 6),
        "total_seconds": round(total, 6),
    }))


if __name__ == "__main__":
    main()
