#!/usr/bin/env python3
"""Python peer for the spawn and capture benchmarks (see benchmarks/Fanout.Benchmarks).

spawn:   subprocess.Popen(["/bin/true"]) + wait(), --count times, --parallel in flight.
capture: subprocess.Popen(["/bin/echo", "hello"], stdout=PIPE) + communicate(), which is what
         subprocess.run(..., stdout=PIPE) does, with --parallel in flight.

A single thread keeps N children in flight: start until N run, then finish the oldest and start
the next. Prints one JSON line; the time excludes the interpreter's start-up and a warm-up.
"""
import argparse
import collections
import json
import subprocess
import time


def run(count, parallel, capture):
    argv = ["/bin/echo", "hello"] if capture else ["/bin/true"]
    stdout = subprocess.PIPE if capture else None
    in_flight = collections.deque()

    def finish(proc):
        if capture:
            out, _ = proc.communicate()
            if out != b"hello\n":
                raise SystemExit(f"echo wrote {out!r}")
        else:
            proc.wait()
        if proc.returncode != 0:
            raise SystemExit(f"{argv[0]} returned {proc.returncode}")

    start = time.perf_counter()
    for _ in range(count):
        if len(in_flight) >= parallel:
            finish(in_flight.popleft())
        in_flight.append(subprocess.Popen(argv, stdout=stdout))
    while in_flight:
        finish(in_flight.popleft())
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--capture", action="store_true")
    args = parser.parse_args()
    if args.warmup:
        run(args.warmup, args.parallel, args.capture)
    seconds = run(args.count, args.parallel, args.capture)
    print(json.dumps({
        "bench": "capture" if args.capture else "spawn",
        "impl": "python",
        "count": args.count,
        "parallel": args.parallel,
        "seconds": round(seconds, 6),
        "rate": round(args.count / seconds, 6),
    }))


if __name__ == "__main__":
    main()
