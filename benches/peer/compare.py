#!/usr/bin/env python3
"""Side by side, in the same run: `aistack solve --solver highs` end to end against the usual
Python stack (highspy reading the program that `aistack export` wrote, solving it and
extracting values and duals), on generated instances.

    python3 benches/peer/compare.py --aistack target-highs/release/aistack --countries 20,60,190

For each size: generate the scenario, export its LP relaxation as MPS, then time (wall clock,
each as a fresh process, best of --repeat runs):
  - aistack: `aistack solve FILE --solver highs --relax --format json` (read and validate the
    scenario, build, solve, price, welfare by country, JSON report);
  - highspy: `python3 highspy_solve.py FILE.mps` (interpreter start, import, read MPS, solve,
    extract values and duals). The Python side does less: no scenario, no prices by entity, no
    welfare; its program-building step is reading the MPS that aistack wrote.
Both objectives must agree (1e-7 relative). Prints a Markdown table with the ratio.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


TIME = "/usr/bin/time"


def run(cmd):
    """Run cmd as a fresh process: (wall seconds, stdout, peak resident MiB or None)."""
    measure = os.path.exists(TIME)
    full = [TIME, "-f", "peak-kb %M"] + cmd if measure else cmd
    t = time.perf_counter()
    p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    peak = None
    for line in p.stderr.splitlines():
        if line.startswith("peak-kb "):
            peak = int(line.split()[1]) / 1024
    return dt, p.stdout, peak


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aistack", default="target-highs/release/aistack")
    ap.add_argument("--countries", default="20,60,190")
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--periods", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    work = args.workdir or tempfile.mkdtemp(prefix="aistack-peer-")
    os.makedirs(work, exist_ok=True)
    print(f"<!-- workdir {work}; load average {os.getloadavg()[0]:.2f} at start -->")
    print("| countries | columns | rows | aistack solve s | highspy s (inside Python: read + solve + extract) | ratio aistack / highspy | peak MiB aistack / highspy | W aistack | W highspy |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in [int(x) for x in args.countries.split(",")]:
        scen = os.path.join(work, f"g{n}.toml")
        mps = os.path.join(work, f"g{n}.mps")
        _ = run([args.aistack, "generate", "--countries", str(n), "--layers", str(args.layers),
             "--periods", str(args.periods), "--seed", str(args.seed), "--out", scen])
        run([args.aistack, "export", scen, "--relax", "--mps", mps])
        best_a, best_p = float("inf"), float("inf")
        for _ in range(args.repeat):
            ta, out, mem_a = run([args.aistack, "solve", scen, "--solver", "highs", "--relax", "--format", "json"])
            w_a = json.loads(out)["objective"]
            tp, out, mem_p = run([sys.executable, os.path.join(HERE, "highspy_solve.py"), mps])
            result = json.loads(out.strip().splitlines()[-1])
            best_a = min(best_a, ta)
            if tp < best_p:
                best_p, peer = tp, result
        w_p = peer["objective"]
        ok = abs(w_a - w_p) <= 1e-7 * max(1.0, abs(w_a))
        inner = peer["read_s"] + peer["solve_s"] + peer["extract_s"]
        mem = f"{mem_a:.0f} / {mem_p:.0f}" if mem_a and mem_p else "-"
        print(f"| {n} | {peer['columns']} | {peer['rows']} | {best_a:.2f} | {best_p:.2f} ({inner:.2f}) "
              f"| {best_a / best_p:.2f} | {mem} | {w_a:.4f} | {w_p:.4f}{'' if ok else ' MISMATCH'} |")
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
