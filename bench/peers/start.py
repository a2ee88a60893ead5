#!/usr/bin/env python3
"""Python peer for the start benchmark: --count children of /bin/sleep for a pseudo-random
1.2-1.3 s each (the same sequence as StartBenchmarks.Durations), started back to back with
subprocess.Popen, then all waited for. Prints one JSON line."""
import argparse
import json
import subprocess
import time


def durations(count, low, high):
    x = 300
    result = []
    for _ in range(count):
        x = (x * 1103515245 + 12345) % (1 << 31)
        result.append(f"{low + (high - low) * x / (1 << 31):.3f}")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--sleep-min", type=float, default=1.2)
    parser.add_argument("--sleep-max", type=float, default=1.3)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    for _ in range(args.warmup):
        subprocess.Popen(["/bin/true"]).wait()

    argvs = [["/bin/sleep", d] for d in durations(args.count, args.sleep_min, args.sleep_max)]
    start = time.perf_counter()
    procs = [subprocess.Popen(argv) for argv in argvs]
    started = time.perf_counter() - start
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"pid {proc.pid} returned {proc.returncode}")
    total = time.perf_counter() - start
    print(json.dumps({
        "bench": "start",
        "impl": "python",
        "count": args.count,
        "sleep_min": args.sleep_min,
        "sleep_max": args.sleep_max,
        "start_seconds": round(started, 6),
        "total_seconds": round(total, 6),
    }))


if __name__ == "__main__":
    main()
