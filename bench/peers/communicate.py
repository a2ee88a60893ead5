#!/usr/bin/env python3
"""Python peer for the communicate benchmark: subprocess.run(["head", "-c", N, "/dev/zero"],
stdout=PIPE), the whole output in one bytes object. Prints one JSON line."""
import argparse
import gc
import json
import resource
import subprocess
import time


def read(count):
    result = subprocess.run(["head", "-c", str(count), "/dev/zero"], stdout=subprocess.PIPE, check=True)
    if len(result.stdout) != count:
        raise SystemExit(f"read {len(result.stdout)} bytes, expected {count}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bytes", type=int, default=1 << 30)
    parser.add_argument("--warmup-bytes", type=int, default=16 << 20)
    args = parser.parse_args()
    if args.warmup_bytes:
        read(args.warmup_bytes)
    gc.collect()
    start = time.perf_counter()
    read(args.bytes)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "bench": "communicate",
        "impl": "python",
        "bytes": args.bytes,
        "seconds": round(seconds, 6),
        "gib_per_s": round(args.bytes / (1 << 30) / seconds, 6),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
