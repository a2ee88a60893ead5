#!/usr/bin/env python3
"""Peers for Fanout's sharing benchmarks, with multiprocessing (spawn):
semaphore-ping-pong (round trips per second through two Semaphores), pipe-ping-pong (round trips
of an int over a duplex Pipe to a worker and back) and queue (messages per second
through a Queue, one producer process). Timed once the worker is up. Prints one JSON line."""
import argparse
import json
import multiprocessing
import time


def bounce(ping, pong, count):
    for _ in range(count):
        ping.acquire()
        pong.release()


def echo(end, count):
    for _ in range(count):
        end.send(end.recv())


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


def pipe_ping_pong(context, count):
    parent_end, child_end = context.Pipe()
    worker = context.Process(target=echo, args=(child_end, count + 1))
    worker.start()
    child_end.close()
    parent_end.send(-1)
    parent_end.recv()
    started = time.perf_counter()
    for i in range(count):
        parent_end.send(i)
        if parent_end.recv() != i:
            raise RuntimeError(f"the pipe's echo of {i} came back wrong")
    seconds = time.perf_counter() - started
    worker.join()
    return {"bench": "pipe-ping-pong", "impl": "python", "count": count, "round_trips_per_s": round(count / seconds)}


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
    parser.add_argument("bench", choices=["semaphore-ping-pong", "pipe-ping-pong", "queue"])
    # The same defaults as Fanout.Benchmarks: 20,000 round trips, 200,000 queue messages.
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()
    if args.count is None:
        args.count = 200000 if args.bench == "queue" else 20000
    context = multiprocessing.get_context("spawn")
    if args.bench == "semaphore-ping-pong":
        print(json.dumps(ping_pong(context, args.count)))
    elif args.bench == "pipe-ping-pong":
        print(json.dumps(pipe_ping_pong(context, args.count)))
    else:
        print(json.dumps(queue_throughput(context, args.count, args.size)))


if __name__ == "__main__":
    main()
