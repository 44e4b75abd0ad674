#!/usr/bin/env python3
"""Durable appends: an fsync per append against one syncfs per group (the measurement behind docs/storage.md).

Appends 300 bytes to each of 256 files per round, 20 rounds, twice each way: either every append opens its file, writes
and fsyncs it (64 threads, as many worlds appending at once would), or every append writes and one syncfs of the file
system makes the round durable (the file store's group commit). Prints durable appends per second and the CPU the
process and the whole machine spent per append. Linux only; writes under the folder given (default: a temporary one on
the same file system as /tmp), so run it on the file system the silo's data folder is on.

    python3 tools/journal-flush-bench.py [folder]
"""
import ctypes
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

FILES, ROUNDS, RECORD = 256, 20, b"x" * 300
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def machine_busy_seconds():
    values = list(map(int, open("/proc/stat").readline().split()[1:]))
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def fsync_each(paths, pool, root):
    def append(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, RECORD)
            os.fsync(fd)
        finally:
            os.close(fd)
    list(pool.map(append, paths))


def syncfs_once(paths, pool, root):
    for path in paths:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, RECORD)
        finally:
            os.close(fd)
    fd = os.open(root, os.O_RDONLY)
    try:
        if libc.syncfs(fd) != 0:
            raise OSError(ctypes.get_errno(), "syncfs failed")
    finally:
        os.close(fd)


def main():
    parent = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(dir=parent) as root:
        paths = [os.path.join(root, f"w{i}") for i in range(FILES)]
        for path in paths:
            open(path, "wb").close()
        os.sync()
        for name, way in [("fsync per append", fsync_each), ("one syncfs per round", syncfs_once)] * 2:
            with ThreadPoolExecutor(64) as pool:
                way(paths, pool, root)  # warm-up round
                before, busy, started = resource.getrusage(resource.RUSAGE_SELF), machine_busy_seconds(), time.perf_counter()
                for _ in range(ROUNDS):
                    way(paths, pool, root)
                seconds = time.perf_counter() - started
                after, busy = resource.getrusage(resource.RUSAGE_SELF), machine_busy_seconds() - busy
            appends = FILES * ROUNDS
            process = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            print(f"{name}: {appends / seconds:,.0f} durable appends/s; per append {process / appends * 1e6:.0f} µs "
                  f"process CPU, {busy / appends * 1e6:.0f} µs machine CPU")


if __name__ == "__main__":
    main()
