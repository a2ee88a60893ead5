#!/usr/bin/env python3
"""Peers for Fanout's sharing benchmarks, with multiprocessing (spawn):
semaphore-ping-pong (round trips per second through two Semaphores) and queue (messages per second
through a Queue, one producer process). Timed once the worker is up. Prints one JSON line."""
import argparse
import json
import multiprocessing
import time


def bounce(ping, pong, count):
    for _ in range(count):
        ping.acquire()
        pong.release()


def produce(queue, ready, count, size):
    message = bytes(size)
    ready.release()
    for _ in range(count):
        queue.put(message)


def ping_pong(context, count):
    ping, pong = context.Semaphore(0), context.Semaphore(0)
    worker = context.Process(target=bounce, args=(ping, pong, count + 1))
    worker.start()
    ping.release()
    pong.acquire()
    started = time.perf_counter()
    for _ in range(count):
        ping.release()
        pong.acquire()
    seconds = time.perf_counter() - started
    worker.join()
    return {"bench": "semaphore-ping-pong", "impl": "python", "count": count, "round_trips_per_s": round(count / seconds)}


def queue_throughput(context, count, size):
    queue, ready = context.Queue(), context.Semaphore(0)
    worker = context.Process(target=produce, args=(queue, ready, count, size))
    worker.start()
    ready.acquire()
    started = time.perf_counter()
    for _ in range(count):
        queue.get()
    seconds = time.perf_counter() - started
    worker.join()
    return {"bench": "queue", "impl": "python", "count": count, "size": size, "messages_per_s": round(count / seconds)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", choices=["semaphore-ping-pong", "queue"])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    if args.bench == "semaphore-ping-pong":
        print(json.dumps(ping_pong(context, args.count)))
    else:
        print(json.dumps(queue_throughput(context, args.count, args.size)))


if __name__ == "__main__":
    main()
