#!/usr/bin/env python3
"""Time two commands fairly: interleaved runs, both sides run alike.

usage: pairtime.py [--runs N] [--warmup W] [--prepare SHELL-CMD] [--prepare-peer SHELL-CMD]
                   LABEL PEER-LABEL CMD PEER-CMD

Each command is split like a shell would (shlex) and run directly, with no shell in between, for both
sides alike (write `sh -c '...'` on both sides when one needs a shell). Rounds alternate the order
(A B, B A, ...), so a change of the machine's load during the benchmark hits both alike. PREPARE runs
through /bin/sh, untimed, before every run of either side; --prepare-peer gives the peer a prepare of its
own, when the two sides need different state restored (objects that a timed delete removed). Prints the
median wall time with its range, the median CPU time (user + system, from wait4) and the ratio of the
medians; exits 1 when a command fails (a benchmark of a failing command measures nothing).
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv, prepare):
    if prepare:
        subprocess.run(["/bin/sh", "-c", prepare], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench: command failed (exit {proc.returncode}): {shlex.join(argv)}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "15")))
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--prepare", default="")
    ap.add_argument("--prepare-peer", default=None)
    ap.add_argument("label")
    ap.add_argument("peer_label")
    ap.add_argument("cmd")
    ap.add_argument("peer_cmd")
    a = ap.parse_args()
    argvs = [shlex.split(a.cmd), shlex.split(a.peer_cmd)]
    prepares = [a.prepare, a.prepare if a.prepare_peer is None else a.prepare_peer]
    for _ in range(a.warmup):
        for argv, prepare in zip(argvs, prepares):
            run_once(argv, prepare)
    wall, cpu = ([], []), ([], [])
    for i in range(a.runs):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for k in order:
            w, c = run_once(argvs[k], prepares[k])
            wall[k].append(w)
            cpu[k].append(c)
    ms = lambda x: x * 1000
    wa, wb = statistics.median(wall[0]), statistics.median(wall[1])
    ca, cb = statistics.median(cpu[0]), statistics.median(cpu[1])
    rng = lambda v: f"{ms(min(v)):.1f}-{ms(max(v)):.1f}"
    print(f"{a.label:<44} median {ms(wa):9.1f} ms ({rng(wall[0])})   {a.peer_label:<28} {ms(wb):9.1f} ms "
          f"({rng(wall[1])})   ratio {wa / wb:6.2f}x")
    ratio_cpu = ca / cb if cb > 0 else float("nan")
    print(f"{'  CPU time (user + system)':<44} median {ms(ca):9.1f} ms   {'':<28} {ms(cb):9.1f} ms   "
          f"ratio {ratio_cpu:6.2f}x   ({a.runs} interleaved runs each)")


if __name__ == "__main__":
    main()
