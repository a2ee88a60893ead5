#!/usr/bin/env python3
"""Peer for Fanout's worker-start benchmark: multiprocessing's spawn start, from start() to the
target's first line (both sides read CLOCK_MONOTONIC). Prints one JSON line with the median."""
import argparse
import json
import multiprocessing
import statistics
import time


def first_line(queue):
    queue.put(time.monotonic_ns())


def once(context):
    queue = context.Queue()
    started = time.monotonic_ns()
    process = context.Process(target=first_line, args=(queue,))
    process.start()
    reached = queue.get()
    process.join()
    return reached - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    for _ in range(args.warmup):
        once(context)
    samples = sorted(once(context) for _ in range(args.count))
    print(json.dumps({"bench": "worker-start", "impl": "python", "count": args.count,
                      "median_ms": round(statistics.median(samples) / 1e6, 3), "min_ms": round(samples[0] / 1e6, 3)}))


if __name__ == "__main__":
    main()
