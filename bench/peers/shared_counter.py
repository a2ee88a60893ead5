#!/usr/bin/env python3
"""Seed 004's assignment as its author wrote it, for timing against samples/Seed004.SharedCounter:
two processes each count to 50,000,000, then add into a shared int64 (a numpy view of a
SharedMemory block) under a Semaphore. Prints the elapsed seconds and total_number=100000000."""
import time
from multiprocessing import Process, Semaphore, shared_memory

import numpy as np


def worker(number, template, memory_name, semaphore):
    increased_number = 0
    for _ in range(number):
        increased_number += 1
    semaphore.acquire()
    block = shared_memory.SharedMemory(name=memory_name)
    view = np.ndarray(template.shape, dtype=template.dtype, buffer=block.buf)
    view[0] += increased_number
    del view
    block.close()
    semaphore.release()


if __name__ == "__main__":
    start_time = time.time()
    semaphore = Semaphore()
    template = np.array([0], dtype=np.int64)
    block = shared_memory.SharedMemory(create=True, size=template.nbytes)
    total = np.ndarray(template.shape, dtype=template.dtype, buffer=block.buf)
    workers = [Process(target=worker, args=(50_000_000, template, block.name, semaphore)) for _ in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join()
    print("--- %s seconds ---" % (time.time() - start_time))
    print("total_number=%d" % total[0])
    print("end of main")
    del total
    block.close()
    block.unlink()
