#!/usr/bin/env python3
"""Turns bench/out/results.jsonl (written by bench/run) into docs/benchmarks.md.

Every figure is the median over the repetitions; every ratio is the median of the per-repetition
ratios (each repetition runs Fanout and its peers back to back, so a ratio compares measurements
taken under the same load).
"""
import argparse
import collections
import datetime
import json
import os
import platform
import statistics
import subprocess

PARALLELISMS = (2, 8)

NAMES = {
    "fanout": "Fanout",
    "fanout-sync": "Fanout (sync)",
    "fanout-async": "Fanout (async)",
    "dotnet": ".NET Process",
    "dotnet-async": ".NET Process (async)",
    "python": "Python subprocess",
    "xargs": "xargs -P",
    "cat": "cat through a pipe",
    "parallel": "GNU parallel",
    "hello": ".NET hello world (the floor)",
}

# (Fanout's form, peer, goal) for spawn + wait: each peer against the Fanout call that waits the way it does.
SPAWN_PAIRS = (
    ("fanout", "xargs", 0.95),
    ("fanout", "dotnet-async", 1.0),
    ("fanout-sync", "dotnet", 1.0),
    ("fanout-sync", "python", 1.0),
)
# The same for captured stdout; Python's figures are for information.
CAPTURE_PAIRS = (
    ("fanout", "dotnet-async", 1.25),
    ("fanout-sync", "dotnet", 1.25),
    ("fanout-sync", "python", None),
)

# Names in the batch runner and worker sections, where "Fanout" is the CLI or a worker.
BATCH_NAMES = {"fanout": "`fanout run`", "parallel": "GNU parallel", "xargs": "xargs -P"}
WORKER_NAMES = {"fanout": "Fanout worker", "hello": ".NET hello world (the floor)",
                "hello-lifetime": ".NET hello world, start to exit (its lifetime; section 8's yardstick)",
                "python": "Python multiprocessing (spawn)"}


def load(path):
    data = collections.defaultdict(list)
    with open(path, encoding="utf-8") as results:
        for line in results:
            if line.strip():
                record = json.loads(line)
                data[(record["bench"], record["impl"], record.get("parallel"))].append(record)
    return data


def med(values):
    return statistics.median(values) if values else float("nan")


def paired_ratio(mine, theirs, key, higher_is_better=True):
    """Median over repetitions of mine/theirs (or theirs/mine for times), so >1 means Fanout is better."""
    ratios = [
        (a[key] / b[key]) if higher_is_better else (b[key] / a[key])
        for a, b in zip(mine, theirs)
        if a[key] > 0 and b[key] > 0
    ]
    return med(ratios)


def best_ratio(mine, theirs, key, higher_is_better=True):
    """Fanout's best repetition against the peer's best (noise on a shared machine only ever slows a run down)."""
    pick = max if higher_is_better else min
    a, b = pick(r[key] for r in mine), pick(r[key] for r in theirs)
    return a / b if higher_is_better else b / a


def paired(mine, theirs, key):
    """Median over repetitions of mine[key] / theirs[key]."""
    return med([a[key] / b[key] for a, b in zip(mine, theirs) if a[key] > 0 and b[key] > 0])


def fmt_mb(kib):
    return f"{kib * 1024 / 1e6:,.1f} MB"


def command(*argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False).stdout.strip()
    except OSError:
        return "not installed"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
                break
    system = "Linux"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    system = line.split("=", 1)[1].strip().strip('"')
    return [
        ("CPUs (`nproc`)", command("nproc")),
        ("CPU", cpu),
        ("Memory", memory),
        ("OS", system),
        ("Kernel (`uname -r`)", platform.release()),
        ("glibc", command("getconf", "GNU_LIBC_VERSION")),
        ("`dotnet --version`", command("dotnet", "--version")),
        ("`python3 --version`", command("python3", "--version")),
        ("xargs", command("xargs", "--version").splitlines()[0]),
        ("GNU parallel", command("parallel", "--version").splitlines()[0]),
    ]


def fmt_rate(value):
    return f"{value:,.0f}/s"


def fmt_spread(records, key, fmt):
    values = [r[key] for r in records]
    if len(values) < 2:
        return fmt(values[0]) if values else "—"
    return f"{fmt(min(values))} – {fmt(max(values))}"


def fmt_ratio(value):
    return "—" if value != value else f"{value:.2f}×"


def mark(ok):
    return "✅ pass" if ok else "❌ fail"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--reps", type=int, required=True)
    parser.add_argument("--elapsed", default="?")
    parser.add_argument("--load-before", default="?")
    parser.add_argument("--load-after", default="?")
    parser.add_argument("--only-new", action="store_true", help="only sections 7-9 (workers, pools, sharing)")
    args = parser.parse_args()
    data = load(args.results)

    def runs(bench, impl, parallel=None):
        found = data.get((bench, impl, parallel), [])
        if not found:
            raise SystemExit(f"report.py: no results for {bench} {impl} {parallel or ''}")
        return found

    out = []
    goals = []
    w = out.append

    # Sections 1-6 need the process and batch-runner measurements, which `bench/run --only-new` skips.
    if not args.only_new:
        # --- 1. spawn + wait ---
        spawn_count = runs("spawn", "fanout", 2)[0]["count"]
        w(f"## 1. Spawn + wait `/bin/true`, {spawn_count:,} processes")
        w("")
        w("Processes per second (higher is better): median, with the range over the repetitions.")
        w("")
        w("| Implementation | " + " | ".join(f"{p} at a time" for p in PARALLELISMS) + " |")
        w("|---|" + "---:|" * len(PARALLELISMS))
        for impl in ("fanout", "fanout-sync", "dotnet", "dotnet-async", "python", "xargs"):
            cells = []
            for p in PARALLELISMS:
                r = runs("spawn", impl, p)
                cells.append(f"**{fmt_rate(med([x['rate'] for x in r]))}** ({fmt_spread(r, 'rate', lambda v: f'{v:,.0f}')})")
            w(f"| {NAMES[impl]} | " + " | ".join(cells) + " |")
        w("")
        w("Ratios (Fanout's rate ÷ the peer's; above 1 means Fanout is faster). Each peer is compared with the Fanout call "
          "that waits the same way: blocking waits with blocking waits, `await` with `await`; xargs with the asynchronous form.")
        w("")
        w("| Ratio | " + " | ".join(f"{p} at a time" for p in PARALLELISMS) + " | Goal |")
        w("|---|" + "---:|" * len(PARALLELISMS) + "---|")
        for mine, peer, goal in SPAWN_PAIRS:
            ratios = [paired_ratio(runs("spawn", mine, p), runs("spawn", peer, p), "rate") for p in PARALLELISMS]
            w(f"| {NAMES[mine]} / {NAMES[peer]} | " + " | ".join(fmt_ratio(r) for r in ratios) + f" | ≥ {goal:.2f}× |")
            for p, r in zip(PARALLELISMS, ratios):
                goals.append((f"Spawn + wait, {p} at a time: {NAMES[mine]} ≥ {goal:.2f}× {NAMES[peer]}", fmt_ratio(r),
                              fmt_ratio(best_ratio(runs("spawn", mine, p), runs("spawn", peer, p), "rate")), r >= goal))
        w("")
        w("- Fanout: `ProcessSpec(\"/bin/true\").Start()` + `await WaitAsync()`, N asynchronous loops.")
        w("- Fanout (sync): the same with `Wait()`, on N threads.")
        w("- .NET Process: `Process.Start(new ProcessStartInfo(\"/bin/true\") { UseShellExecute = false })` + `WaitForExit()`, on N threads.")
        w("- .NET Process (async): the same with `await WaitForExitAsync()`, N asynchronous loops.")
        w("- Python: `subprocess.Popen([\"/bin/true\"])` + `wait()`, one thread keeping N in flight (`bench/peers/spawn.py`).")
        w(f"- xargs: `seq {spawn_count} | xargs -P N -n 1 /bin/true`, timed as a whole by bash (so it includes starting `seq` and xargs, about a millisecond).")
        w("- An `await` costs more CPU than a blocking wait in any .NET program: the exit is noticed on one thread and the code after "
          "the `await` runs on a thread-pool thread, which then spins for a while looking for more work. `self_cpu_us_per_spawn` in the "
          "raw data shows it; with `DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0` Fanout's asynchronous loop used about 40% less CPU per child here.")
        w("")

        # --- 2. capture ---
        w(f"## 2. Spawn + wait with stdout captured: `/bin/echo hello`, {spawn_count:,} processes")
        w("")
        w("Processes per second (higher is better); each child's stdout is a pipe read to the end and checked.")
        w("")
        w("| Implementation | " + " | ".join(f"{p} at a time" for p in PARALLELISMS) + " |")
        w("|---|" + "---:|" * len(PARALLELISMS))
        for impl in ("fanout", "fanout-sync", "dotnet", "dotnet-async", "python"):
            cells = []
            for p in PARALLELISMS:
                r = runs("capture", impl, p)
                cells.append(f"**{fmt_rate(med([x['rate'] for x in r]))}** ({fmt_spread(r, 'rate', lambda v: f'{v:,.0f}')})")
            w(f"| {NAMES[impl]} | " + " | ".join(cells) + " |")
        w("")
        w("| Ratio | " + " | ".join(f"{p} at a time" for p in PARALLELISMS) + " | Goal |")
        w("|---|" + "---:|" * len(PARALLELISMS) + "---|")
        for mine, peer, goal in CAPTURE_PAIRS:
            ratios = [paired_ratio(runs("capture", mine, p), runs("capture", peer, p), "rate") for p in PARALLELISMS]
            w(f"| {NAMES[mine]} / {NAMES[peer]} | " + " | ".join(fmt_ratio(r) for r in ratios) + f" | {'≥ %.2f×' % goal if goal else '(for information)'} |")
            if goal:
                for p, r in zip(PARALLELISMS, ratios):
                    goals.append((f"Captured stdout, {p} at a time: {NAMES[mine]} ≥ {goal:.2f}× {NAMES[peer]}", fmt_ratio(r),
                                  fmt_ratio(best_ratio(runs("capture", mine, p), runs("capture", peer, p), "rate")), r >= goal))
        w("")
        w("- Fanout: `await new ProcessSpec(\"/bin/echo\", \"hello\").WithStdout(Stdio.Pipe).RunAsync()`, N asynchronous loops.")
        w("- Fanout (sync): `Start()` + `Communicate()`, on N threads.")
        w("- .NET Process: `RedirectStandardOutput = true`, `StandardOutput.ReadToEnd()` + `WaitForExit()`, on N threads.")
        w("- .NET Process (async): `await StandardOutput.ReadToEndAsync()` + `await WaitForExitAsync()`, N asynchronous loops.")
        w("- Python: `Popen(..., stdout=PIPE)` + `communicate()` (what `subprocess.run(..., stdout=PIPE)` does), one thread keeping N in flight.")
        w("")

        # --- 3. start, and the seed scenario ---
        def start_section(bench, title, text, how):
            r_all = {impl: runs(bench, impl) for impl in ("fanout", "dotnet", "python")}
            first = r_all["fanout"][0]
            w(title.format(**first))
            w("")
            w(text.format(**first))
            w("")
            w("| Implementation | Start (median) | Start (range) | Per start | Total (median) | Total (range) |")
            w("|---|---:|---:|---:|---:|---:|")
            for impl, r in r_all.items():
                s = med([x["start_seconds"] for x in r])
                t = med([x["total_seconds"] for x in r])
                w(f"| {NAMES[impl]} | **{s:.3f} s** | {fmt_spread(r, 'start_seconds', lambda v: f'{v:.3f}')} | {s / first['count'] * 1e3:.2f} ms "
                  f"| **{t:.3f} s** | {fmt_spread(r, 'total_seconds', lambda v: f'{v:.3f}')} |")
            w("")
            w("| Ratio (the peer's time ÷ Fanout's; above 1 means Fanout is faster) | Start | Total |")
            w("|---|---:|---:|")
            for peer in ("dotnet", "python"):
                w(f"| Fanout vs {NAMES[peer]} | {fmt_ratio(paired_ratio(r_all['fanout'], r_all[peer], 'start_seconds', False))} "
                  f"| {fmt_ratio(paired_ratio(r_all['fanout'], r_all[peer], 'total_seconds', False))} |")
            w("")
            for line in how:
                w(line)
            w("")
            return r_all["fanout"], first

        fanout, first = start_section(
            "start",
            "## 3. {count} children started back to back",
            "{count} children of `/bin/sleep` for a pseudo-random {sleep_min}–{sleep_max} s each (the same sequence for every "
            "implementation), all started one after the other, then all waited for. *Start* is the time from the first start call "
            "to the return of the last; *total* is until the last wait returned (at least {sleep_max} s of sleeping). Lower is better.",
            ["- Fanout: `new ProcessSpec(\"/bin/sleep\", d).Start()` in a loop, then `Wait()` on each.",
             "- .NET Process: `Process.Start(new ProcessStartInfo(\"/bin/sleep\", [d]) { UseShellExecute = false })`, then `WaitForExit()`.",
             "- Python: `subprocess.Popen([\"/bin/sleep\", d])`, then `wait()` (`bench/peers/start.py`)."])
        s = med([x["start_seconds"] for x in fanout])
        goals.append((f"{first['count']} children started back to back within 0.12 s", f"{s:.3f} s",
                      f"{min(x['start_seconds'] for x in fanout):.3f} s", s <= 0.12))

        fanout, first = start_section(
            "seed",
            "## 4. The seed scenario: {count} background jobs (samples/Seed000.Background)",
            "What `samples/Seed000.Background` does: {count} jobs `sh -c \"sleep S; echo S\"` with S a pseudo-random {sleep_min}–{sleep_max} "
            "(two decimals), stdout and stderr captured, all started, then each one's output collected in turn and checked. "
            "*Total* is the sample's \"Finished in\" time. Lower is better.",
            ["- Fanout: `ProcessSpec.Shell($\"sleep {s}; echo {s}\").WithCapturedOutput().Start()`, then `Communicate()` on each.",
             "- .NET Process: `/bin/sh -c` with `RedirectStandardOutput` and `RedirectStandardError`, then both read to the end and `WaitForExit()`.",
             "- Python: `Popen(cmd, shell=True, stdout=PIPE, stderr=PIPE)`, then `communicate()` on each (`bench/peers/start.py --seed`)."])
        t = med([x["total_seconds"] for x in fanout])
        goals.append((f"Seed scenario ({first['count']} jobs started, then collected) within 1.42 s", f"{t:.3f} s",
                      f"{min(x['total_seconds'] for x in fanout):.3f} s", t <= 1.42))

        # --- 4. communicate ---
        comm = {impl: runs("communicate", impl) for impl in ("fanout", "fanout-async", "dotnet", "python", "cat")}
        size = comm["fanout"][0]["bytes"]
        size_text = f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size / (1 << 20):g} MiB"
        w(f"## 5. Reading {size_text} of a child's stdout")
        w("")
        w(f"The child is `head -c {size} /dev/zero`; the whole output ends up in one byte array (one `bytes` for Python). "
          "The floor is the same bytes through a pipe into `cat > /dev/null`, run by bash, which keeps nothing. GiB/s, higher is better.")
        w("")
        w("| Implementation | GiB/s (median) | Range | Seconds (median) | ÷ cat through a pipe | Peak resident (median) |")
        w("|---|---:|---:|---:|---:|---:|")
        for impl, r in comm.items():
            ratio = paired_ratio(r, comm["cat"], "gib_per_s")
            peaks = [x["peak_rss_mib"] for x in r if "peak_rss_mib" in x]
            peak = f"{med(peaks):,.0f} MiB" if peaks else "—"
            w(f"| {NAMES[impl]} | **{med([x['gib_per_s'] for x in r]):.2f}** | {fmt_spread(r, 'gib_per_s', lambda v: f'{v:.2f}')} "
              f"| {med([x['seconds'] for x in r]):.3f} | {fmt_ratio(ratio)} | {peak} |")
        w("")
        w("- Fanout: `Start()` + `Communicate()` (synchronous: one `poll` loop on the calling thread).")
        w("- Fanout (async): `Start()` + `await CommunicateAsync()` (the reactor).")
        w("- .NET Process: `RedirectStandardOutput = true`, `StandardOutput.BaseStream.CopyTo(MemoryStream)`, `ToArray()`.")
        w("- Python: `subprocess.run([\"head\", ...], stdout=PIPE)` (`bench/peers/communicate.py`).")
        w(f"- cat: `head -c {size} /dev/zero | cat > /dev/null`, timed by bash.")
        w("- cat reuses one small buffer; every other implementation has to put the bytes in fresh memory, and the first write to each fresh page "
          "costs a page fault and the kernel's zeroing of the page, which is part of what is measured here. Memory the machine has not used "
          "for a while is the slowest to fault in (under a virtual machine, the host has to provide it too), so the less fresh memory an "
          "implementation touches, the faster and steadier it is. Fanout gathers the output in chunks it unmaps as it copies them into the "
          "final array, whose pages are then the ones just freed, so its peak is about the size of the output. Python's is too: it grows one "
          "bytes object with realloc, which moves large blocks by remapping their pages. A MemoryStream doubles and copies, and .NET's peak "
          "is about three times the output.")
        w("- Every implementation but cat runs right after a program that touched and freed twice the output's size, so each finds "
          "the same recently freed memory (`recycle_memory` in `bench/run`). How fast fresh memory faults in depends on what the machine "
          "did with it before: a virtual machine's kernel hands memory idle for about 2 s back to its host, and getting it back costs "
          "several times more. Without this step, whichever implementation ran right after another 1 GiB run reused that run's memory "
          "and looked 3-5× faster.")
        w("- Peak resident: the largest resident set of the measuring process (VmHWM / `ru_maxrss`), the runtime itself included; "
          "not measured for cat.")
        w("")
        r = paired_ratio(comm["fanout"], comm["cat"], "gib_per_s")
        goals.append((f"Communicate {size_text}: Fanout ≥ 0.90× cat through a pipe", fmt_ratio(r),
                      fmt_ratio(best_ratio(comm["fanout"], comm["cat"], "gib_per_s")), r >= 0.9))

        # --- 6. the batch runner ---
        batch_count = runs("batch", "fanout", 2)[0]["count"]
        impls = ("fanout", "parallel", "xargs")
        w("## 6. The batch runner: `fanout run` against GNU parallel and `xargs -P`")
        w("")
        w("Unlike the sections above, these are whole commands timed by bash (`EPOCHREALTIME` before and after), "
          "so each runner's own start-up is counted, as it is for whoever types the command. Lower is better.")
        w("")
        w(f"### {batch_count:,} × `true`")
        w("")
        w(f"`seq {batch_count} | fanout run -j N --quiet true`, `seq {batch_count} | parallel --will-cite -j N true` and "
          f"`seq {batch_count} | xargs -P N -n 1 true`: {batch_count:,} jobs `true 1` … `true {batch_count}`. "
          "Seconds for the whole batch, median, with the range over the repetitions and the jobs per second.")
        w("")
        w("| Implementation | " + " | ".join(f"-j {p}" for p in PARALLELISMS) + " | Start-up + one job |")
        w("|---|" + "---:|" * len(PARALLELISMS) + "---:|")
        for impl in impls:
            cells = []
            for p in PARALLELISMS:
                r = runs("batch", impl, p)
                t = med([x["seconds"] for x in r])
                cells.append(f"**{t:.3f} s** ({fmt_spread(r, 'seconds', lambda v: f'{v:.3f}')}; {batch_count / t:,.0f}/s)")
            r = runs("batch-startup", impl)
            cells.append(f"{med([x['seconds'] for x in r]):.3f} s")
            w(f"| {BATCH_NAMES[impl]} | " + " | ".join(cells) + " |")
        w("")
        w("| Ratio | " + " | ".join(f"-j {p}" for p in PARALLELISMS) + " | Goal |")
        w("|---|" + "---:|" * len(PARALLELISMS) + "---|")
        fanout_runs = {p: runs("batch", "fanout", p) for p in PARALLELISMS}
        vs_parallel = [paired(runs("batch", "parallel", p), fanout_runs[p], "seconds") for p in PARALLELISMS]
        vs_xargs = [paired(fanout_runs[p], runs("batch", "xargs", p), "seconds") for p in PARALLELISMS]
        w("| GNU parallel's time ÷ `fanout run`'s (above 1: fanout is faster) | " + " | ".join(fmt_ratio(r) for r in vs_parallel) + " | ≥ 5.00× |")
        w("| `fanout run`'s time ÷ xargs -P's (below 1: fanout is faster) | " + " | ".join(fmt_ratio(r) for r in vs_xargs) + " | ≤ 1.30× |")
        w("")
        for p, r in zip(PARALLELISMS, vs_parallel):
            best = min(x["seconds"] for x in runs("batch", "parallel", p)) / min(x["seconds"] for x in fanout_runs[p])
            goals.append((f"{batch_count:,} × `true`, -j {p}: `fanout run` ≥ 5× faster than GNU parallel", fmt_ratio(r), fmt_ratio(best), r >= 5.0))
        for p, r in zip(PARALLELISMS, vs_xargs):
            best = min(x["seconds"] for x in fanout_runs[p]) / min(x["seconds"] for x in runs("batch", "xargs", p))
            goals.append((f"{batch_count:,} × `true`, -j {p}: `fanout run`'s time ≤ 1.3 × xargs -P's", fmt_ratio(r), fmt_ratio(best), r <= 1.3))
        w("- `true` is a shell builtin, so every runner but xargs starts a shell per job: `fanout run` runs `/bin/sh -c 'true N'` "
          "(it runs a plain command directly, without a shell, but not a builtin: see [cli.md](cli.md)); GNU parallel runs "
          "`$SHELL -c 'true N'` with the shell it was started from (bash here); xargs execs `/usr/bin/true N` itself.")
        w("- *Start-up + one job*: `fanout run --quiet true ::: 1`, `parallel --will-cite true ::: 1`, `echo 1 | xargs -n 1 true` — "
          "the fixed cost inside every figure of the row (for `fanout run`, mostly the .NET runtime's start-up).")
        w("")

        seed_parallel = next((p for bench, _, p in data if bench == "batch-seed"), None)
        seed = {impl: runs("batch-seed", impl, seed_parallel) for impl in impls}
        first = seed["fanout"][0]
        w(f"### The seed scenario: {first['count']} jobs sleeping 1.2–1.3 s at -j {first['parallel']}")
        w("")
        w(f"`fanout run -j {first['parallel']} --quiet sleep {{}} ::: S1 … S{first['count']}`, the same with `parallel --will-cite`, "
          f"and `xargs -P {first['parallel']} -n 1 sleep`, with S a pseudo-random 1.20–1.30 (two decimals; the same sequence as "
          f"section 4; the longest is {first['sleep_max']:.2f} s, the floor for any runner). Lower is better.")
        w("")
        w("| Implementation | Wall (median) | Range | Over the longest sleep |")
        w("|---|---:|---:|---:|")
        for impl, r in seed.items():
            t = med([x["seconds"] for x in r])
            w(f"| {BATCH_NAMES[impl]} | **{t:.3f} s** | {fmt_spread(r, 'seconds', lambda v: f'{v:.3f}')} | {t - first['sleep_max']:.3f} s |")
        w("")
        w("| Ratio (the peer's time ÷ `fanout run`'s; above 1 means fanout is faster) | Wall |")
        w("|---|---:|")
        for peer in ("parallel", "xargs"):
            w(f"| `fanout run` vs {BATCH_NAMES[peer]} | {fmt_ratio(paired(seed[peer], seed['fanout'], 'seconds'))} |")
        w("")
        w("- `sleep` is not a builtin: `fanout run` and xargs exec `sleep` directly; GNU parallel runs `$SHELL -c 'sleep S'`.")
        w("")
        t = med([x["seconds"] for x in seed["fanout"]])
        goals.append((f"Seed scenario: `fanout run -j {first['parallel']}`, {first['count']} jobs sleeping 1.2–1.3 s, within 1.45 s", f"{t:.3f} s",
                      f"{min(x['seconds'] for x in seed['fanout']):.3f} s", t <= 1.45))

        memory = [r for (bench, _, _), records in data.items() if bench == "batch-memory" for r in records]
        queued = next(r["jobs"] for r in memory if r["case"] != "complete")
        w(f"### Runner memory: {queued:,} queued jobs")
        w("")
        w("Peak resident memory of the runner (GNU time's `%M`: the largest peak of the command and of every process it waited for — "
          "the runner itself here), measured once (it barely varies), at "
          f"-j {memory[0]['parallel']}. Lower is better.")
        w("")
        w("| Run | Implementation | Jobs | Peak RSS | Wall |")
        w("|---|---|---:|---:|---:|")
        cases = {
            "stdin-halted": "{jobs:,} lines on stdin, halted with `--halt now,success={halt_after}`",
            "manifest-halted": "{jobs:,} jobs in a manifest (one group after one step), halted with `--halt now,success={halt_after}`",
            "complete": "{jobs:,} lines on stdin, all run",
        }
        for r in memory:
            w(f"| {cases[r['case']].format(**r)} | {BATCH_NAMES[r['impl']]} | {r['jobs']:,} | **{fmt_mb(r['max_rss_kib'])}** | {r['seconds']:.2f} s |")
            if r["impl"] == "fanout":
                goals.append((f"Runner memory, {cases[r['case']].format(**r)}: at most 200 MB resident", fmt_mb(r["max_rss_kib"]),
                              "—", r["max_rss_kib"] * 1024 <= 200e6))
        w("")
        w("- The jobs are `true N`; MB are 10⁶ bytes.")
        w("- From stdin (or `:::`), `fanout run` reads at most 10,000 jobs ahead of the ones running (the rest wait in the input), so "
          "a list of any length queues 10,000 at a time. A manifest whose jobs have dependencies is read and checked whole before "
          "anything runs, so there every job is queued in memory at once: the second row is the runner holding "
          f"{queued:,} jobs.")
        peer_runs = [r for r in memory if r["impl"] != "fanout"]
        fanout_complete = [r for r in memory if r["impl"] == "fanout" and r["case"] == "complete"]
        if peer_runs and fanout_complete and peer_runs[0]["jobs"] != fanout_complete[0]["jobs"]:
            w(f"- The peers run {peer_runs[0]['jobs']:,} jobs rather than {fanout_complete[0]['jobs']:,}, to keep the run short (GNU parallel "
              "manages a few hundred jobs per second); neither one's resident memory grows with the number of jobs "
              "(GNU parallel's: about 19 MB at 500 and at 5,000).")
        w("")

    # --- 7. worker cold start ---
    ws = {impl: runs("worker-start", impl) for impl in ("fanout", "hello", "hello-lifetime", "python")}
    count = ws["fanout"][0]["count"]
    w("## 7. Worker cold start")
    w("")
    w(f"The time from starting a child to the first line of its code, one child at a time, {count} times after a warm-up; "
      "each repetition reports the median (and the fastest) of its starts. Both sides read the monotonic clock. Lower is better.")
    w("")
    w("| Implementation | Median (median of the repetitions) | Range | Fastest start |")
    w("|---|---:|---:|---:|")
    for impl, r in ws.items():
        w(f"| {WORKER_NAMES[impl]} | **{med([x['median_ms'] for x in r]):.1f} ms** | {fmt_spread(r, 'median_ms', lambda v: f'{v:.1f}')} "
          f"| {min(x['min_ms'] for x in r):.1f} ms |")
    w("")
    to_floor = paired(ws["fanout"], ws["hello"], "median_ms")
    w("| Ratio | Median | Fastest | Goal |")
    w("|---|---:|---:|---|")
    best_floor = min(x["min_ms"] for x in ws["fanout"]) / min(x["min_ms"] for x in ws["hello"])
    w(f"| Fanout worker ÷ the floor (below 1.3: within the goal) | {fmt_ratio(to_floor)} | {fmt_ratio(best_floor)} | ≤ 1.30× |")
    w(f"| Python multiprocessing ÷ Fanout worker (above 1: the worker is faster) | {fmt_ratio(paired(ws['python'], ws['fanout'], 'median_ms'))} "
      f"| {fmt_ratio(min(x['min_ms'] for x in ws['python']) / min(x['min_ms'] for x in ws['fanout']))} | (for information) |")
    w("")
    w("- Fanout worker: `new WorkerProcess(FirstLine).Start()`, timed to the timestamp `FirstLine` returns (read by the parent after `Join()`) "
      "(`Fanout.Benchmarks worker-start --impl fanout`).")
    w("- The floor: a .NET hello world — the harness in `hello` mode, started through the same `dotnet` host with the same runtime "
      "configuration, printing a timestamp as its first line (`--impl hello`); its lifetime is the same program timed "
      "from its start to its exit, reaped (`--impl hello-lifetime`).")
    w("- Python: `multiprocessing.get_context(\"spawn\").Process(target=...)`, `start()` to the target's first statement "
      "(`bench/peers/worker_start.py`).")
    w("")
    goals.append(("Worker cold start (median): Fanout within 1.3× of a .NET hello world", fmt_ratio(to_floor), fmt_ratio(best_floor), to_floor <= 1.3))

    # --- 8. pools and futures ---
    w("## 8. Pools and futures")
    w("")
    w("Pools of 2 workers and `f(n) = n * 2`, against Python's `multiprocessing.Pool` and `concurrent.futures.ProcessPoolExecutor` "
      "(spawn start method). Each side times the call inside its program after a warm-up with the same call on the same pool "
      "(the harness repeats it, waiting 400 ms after each round, until a round compiles no new method: "
      "with profile-guided optimization a hot method is compiled twice after its precompiled code, so one round left the last compilation "
      "to the measurement). Higher is better.")
    w("")
    w("| Measurement | Fanout | Python | Fanout / Python (median of the repetitions) | Best | Goal |")
    w("|---|---:|---:|---:|---:|---|")
    pool_cases = (
        ("map-chunk1", "`Pool.Map`, chunk size 1", "Pool.map(chunksize=1)", 10.0),
        ("submit", "`ProcessPoolExecutor.Submit` one by one, then every result", "ProcessPoolExecutor.submit", 10.0),
        ("map-auto", "`Pool.Map`, automatic chunks", "Pool.map", 1.0),
    )
    for case, what, peer, goal in pool_cases:
        mine, theirs = runs("pool", case), runs("pool", "python-" + case)
        r = paired_ratio(mine, theirs, "tasks_per_s")
        best = best_ratio(mine, theirs, "tasks_per_s")
        count = mine[0]["count"]
        w(f"| {what}, {count:,} tasks | {fmt_rate(med([x['tasks_per_s'] for x in mine]))} | {fmt_rate(med([x['tasks_per_s'] for x in theirs]))} "
          f"| **{fmt_ratio(r)}** | {fmt_ratio(best)} | ≥ {goal:g}× |")
        goals.append((f"{what}, {count:,} tasks: Fanout ≥ {goal:g}× Python's {peer}", fmt_ratio(r), fmt_ratio(best), r >= goal))
    first, first_py = runs("pool", "first-result"), runs("pool", "python-first-result")
    lifetime = ws["hello-lifetime"]
    to_lifetime = paired(first, lifetime, "median_ms")
    best_lifetime = min(x["min_ms"] for x in first) / min(x["min_ms"] for x in lifetime)
    w("")
    w("| From creating a pool of 2 to its first result (median of each repetition's median) | Fanout | Python (spawn) | Python ÷ Fanout "
      "| Fanout ÷ a .NET hello world's lifetime (section 7) | Goal |")
    w("|---|---:|---:|---:|---:|---|")
    w(f"| `new Pool(2)` then `Apply` / `Pool(2)` then `apply` | {med([x['median_ms'] for x in first]):.1f} ms | {med([x['median_ms'] for x in first_py]):.1f} ms "
      f"| {fmt_ratio(paired_ratio(first, first_py, 'median_ms', higher_is_better=False))} | **{fmt_ratio(to_lifetime)}** | ≤ 1.4× |")
    w("")
    w("- The yardstick is a .NET hello world's whole life, from its start to its exit (section 7, `--impl hello-lifetime`), "
      "paired with the first result measured in the same repetition.")
    goals.append(("Pool of 2 from creation to first result: within 1.4× a .NET hello world's lifetime", fmt_ratio(to_lifetime), fmt_ratio(best_lifetime), to_lifetime <= 1.4))
    w("- Fanout: `Fanout.Benchmarks pool --impl map-chunk1|submit|map-auto|first-result`; Python: `bench/peers/pool.py`.")
    w("")

    # --- 9. sharing between processes ---
    w("## 9. Sharing between processes")
    w("")
    w("Two processes sharing memory and semaphores, against Python's `multiprocessing` (spawn). "
      "Ping-pong and queue are timed inside each program once the worker is up; the shared counter is seed 004's program as a whole, "
      "from its first line to the workers' join (each program prints its own time); the sample is published as native code (NativeAOT), "
      "so its two workers are the same executable started again, as Python's are its interpreter. Higher rates and lower times are better.")
    w("")
    w("| Measurement | Fanout | Python | Fanout / Python (median of the repetitions) | Best | Goal |")
    w("|---|---:|---:|---:|---:|---|")
    counter, counter_py = runs("shared-counter", "fanout"), runs("shared-counter", "python")
    r = paired_ratio(counter, counter_py, "seconds", higher_is_better=False)
    best = best_ratio(counter, counter_py, "seconds", higher_is_better=False)
    w(f"| Shared counter: 2 workers count to 50,000,000 each and add under a semaphore (`samples/Seed004.SharedCounter` "
      f"vs `bench/peers/shared_counter.py`) | {med([x['seconds'] for x in counter]):.3f} s | {med([x['seconds'] for x in counter_py]):.3f} s "
      f"| **{fmt_ratio(r)}** | {fmt_ratio(best)} | ≥ 20× |")
    goals.append(("Seed 004's shared counter: Fanout ≥ 20× faster than the seed's Python program", fmt_ratio(r), fmt_ratio(best), r >= 20.0))
    for bench, key, what in (
        ("semaphore-ping-pong", "round_trips_per_s", "Semaphore ping-pong between two processes (round trips)"),
        ("queue", "messages_per_s", "Queue: a worker puts 64-byte messages, the parent gets them"),
    ):
        mine, theirs = runs(bench, "fanout"), runs(bench, "python")
        r = paired_ratio(mine, theirs, key)
        best = best_ratio(mine, theirs, key)
        count = mine[0]["count"]
        w(f"| {what}, {count:,} | {fmt_rate(med([x[key] for x in mine]))} | {fmt_rate(med([x[key] for x in theirs]))} "
          f"| **{fmt_ratio(r)}** | {fmt_ratio(best)} | ≥ 5× |")
        goals.append((f"{what}: Fanout ≥ 5× Python", fmt_ratio(r), fmt_ratio(best), r >= 5.0))
    w("")
    w("- Fanout: `Fanout.Benchmarks semaphore-ping-pong|queue`; Python: `bench/peers/sharing.py semaphore-ping-pong|queue`.")
    w("")

    # --- the document ---
    doc = []
    d = doc.append
    d("# Benchmarks: starting processes, the batch runner, workers, pools and sharing")
    d("")
    d("<!-- Generated by bench/run (bench/report.py); do not edit by hand. -->")
    d("")
    d("How fast Fanout spawns, waits for and reads from child processes, measured against peers in the same run: "
      "GNU `xargs -P`, Python's `subprocess`, .NET's `System.Diagnostics.Process`, and `cat` through a pipe; "
      "then how the `fanout run` batch runner does against GNU parallel and `xargs -P`, how fast a worker starts "
      "against a .NET hello world and Python's `multiprocessing`, and how pools, futures and shared memory do against "
      "Python's `multiprocessing` and `concurrent.futures`. "
      "Every figure is the median of the repetitions; every ratio is the median of the per-repetition ratios, "
      "and in each repetition Fanout and its peers run back to back in a rotating order, so a ratio compares runs under the same load. "
      "In sections 1–5 and 8 times are taken inside each program after a warm-up, so runtime start-up and JIT are not counted; "
      "the batch runner's (section 6) are whole commands, start-up included.")
    d("")
    d("Reproduce with:")
    d("")
    d("```sh")
    d("bash bench/run            # full run, writes this file")
    d("bash bench/run --quick    # smoke run, writes bench/out/benchmarks-quick.md")
    d("```")
    d("")
    d(f"This run: **{args.mode}** mode, {args.reps} repetition(s), {args.elapsed} s of measuring, "
      f"on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}. Load average (1, 5, 15 min) before: {args.load_before}; after: {args.load_after}.")
    loads = [r["load1"] for records in data.values() for r in records if "load1" in r]
    if not loads:
        loads = [float(x.split()[0]) for x in (args.load_before, args.load_after) if x and x[0].isdigit()]
    cpus = os.cpu_count() or 1
    if loads and med(loads) > cpus:
        d("")
        d(f"> **Warning: the machine was busy with other work during this run** — median 1-minute load average {med(loads):.1f}, "
          f"at most {max(loads):.1f}, on {cpus} CPUs. Every figure is slower and noisier than on an idle machine, and an "
          "overloaded scheduler shares the CPUs among threads, which favours the multi-threaded implementations (Fanout, "
          ".NET Process) over the single-threaded ones (Python's loop, xargs). Re-run `bash bench/run` on an idle machine "
          "before quoting these numbers.")
    if args.mode != "full":
        d("")
        d("> **Quick mode**: smaller sizes and one repetition — a smoke test of the harness, not figures to quote.")
    d("")
    d("## Machine")
    d("")
    d("| | |")
    d("|---|---|")
    for name, value in machine():
        d(f"| {name} | {value} |")
    d("")
    d("The machine is shared: other work may run at the same time, which is why the medians and the paired ratios matter more than any single figure.")
    d("")
    d("## Goals")
    d("")
    d("The result is judged on the median. *Best* compares Fanout's best repetition with the peer's best: "
      "load from other work only ever slows a run down, so it is a second view of the intrinsic cost, not the verdict.")
    d("")
    d("| Goal | Measured (median) | Best | Result |")
    d("|---|---:|---:|---|")
    for goal, measured, best, ok in goals:
        d(f"| {goal} | {measured} | {best} | {mark(ok)} |")
    d("")
    doc.extend(out)
    # Sections measured by their own scripts, kept beside the results: bench/pipe, bench/pack, and
    # bench/slurm (which needs root and a cluster).
    for extra in ("bench/out/pipe.md", "bench/out/pack.md", "bench/out/slurm.md"):
        if os.path.exists(extra):
            with open(extra, encoding="utf-8") as section:
                doc.extend(section.read().rstrip("\n").split("\n"))
            d("")
    d("## Raw data")
    d("")
    d("`bench/run` keeps every measurement, one JSON line each, in `bench/out/results.jsonl` (not committed). "
      "The harness is `benchmarks/Fanout.Benchmarks` (`Fanout.Benchmarks spawn|capture|start|seed|communicate|worker-start|pool|semaphore-ping-pong|queue --impl ...`); "
      "the Python peers are in `bench/peers/`; the batch runner's commands and the shared counter are in `bench/run` (`batch_true`, `batch_seed`, `batch_memory`, `shared_counter_run`). "
      "The harness is published framework-dependent and ReadyToRun, and the shared-counter sample and the CLI as native code (NativeAOT), as each project publishes itself; "
      "every .NET implementation in a comparison runs from the same published program.")
    d("")
    with open(args.output, "w", encoding="utf-8") as f:
        f.write("\n".join(doc))


if __name__ == "__main__":
    main()
