#!/usr/bin/env python3
"""Peer for Fanout's pool benchmark: multiprocessing.Pool and ProcessPoolExecutor with 2 workers
(spawn start method) and f(n) = n * 2. Prints one JSON line, like `Fanout.Benchmarks pool`."""
import argparse
import json
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor


def double(n):
    return n * 2


def first_result(context, processes):
    started = time.perf_counter()
    with context.Pool(processes) as pool:
        pool.apply(double, (21,))
        return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", default="map-chunk1", choices=["map-chunk1", "submit", "map-auto", "first-result"])
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    if args.impl == "first-result":
        count = args.count or 10
        first_result(context, args.processes)
        samples = sorted(first_result(context, args.processes) for _ in range(count))
        print(json.dumps({"bench": "pool", "impl": "python-" + args.impl, "count": count,
                          "median_ms": round(statistics.median(samples), 3), "min_ms": round(samples[0], 3)}))
        return

    count = args.count or (20_000 if args.impl == "submit" else 100_000)
    inputs = list(range(count))
    if args.impl == "submit":
        with ProcessPoolExecutor(args.processes, mp_context=context) as executor:
            list(executor.map(double, range(1000)))
            started = time.perf_counter()
            futures = [executor.submit(double, n) for n in inputs]
            results = [f.result() for f in futures]
            seconds = time.perf_counter() - started
    else:
        with context.Pool(args.processes) as pool:
            pool.map(double, range(1000), chunksize=1)
            started = time.perf_counter()
            results = pool.map(double, inputs, chunksize=1) if args.impl == "map-chunk1" else pool.map(double, inputs)
            seconds = time.perf_counter() - started
    assert results[-1] == (count - 1) * 2
    print(json.dumps({"bench": "pool", "impl": "python-" + args.impl, "count": count,
                      "seconds": round(seconds, 6), "tasks_per_s": round(count / seconds, 1)}))


if __name__ == "__main__":
    main()
