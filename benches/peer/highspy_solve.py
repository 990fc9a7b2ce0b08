#!/usr/bin/env python3
"""The usual Python stack on an exported aistack program: highspy reads the MPS, solves it and
extracts the primal solution and row duals (what `aistack solve` needs for its report).

    python3 benches/peer/highspy_solve.py FILE.mps [--threads N] [--time-limit S]

Prints one JSON line: status, objective, and the seconds spent reading, solving and extracting.
Requires `pip install highspy` (same HiGHS release as the `highs` crate: 1.16).
"""
import argparse
import json
import sys
import time


def main() -> int:
    t_start = time.perf_counter()
    import highspy  # noqa: E402  (import time is part of the Python stack's cost)

    t_import = time.perf_counter()
    ap = argparse.ArgumentParser()
    ap.add_argument("mps")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--time-limit", type=float)
    args = ap.parse_args()

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if args.threads:
        h.setOptionValue("threads", args.threads)
    if args.time_limit:
        h.setOptionValue("time_limit", args.time_limit)
    t0 = time.perf_counter()
    status = h.readModel(args.mps)
    if status == highspy.HighsStatus.kError:
        print(json.dumps({"status": "error", "message": f"cannot read {args.mps}"}))
        return 2
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    sol = h.getSolution()
    values = list(sol.col_value)
    duals = list(sol.row_dual)
    t3 = time.perf_counter()
    print(
        json.dumps(
            {
                "status": h.modelStatusToString(h.getModelStatus()),
                "objective": h.getInfo().objective_function_value,
                "columns": len(values),
                "rows": len(duals),
                "import_s": round(t_import - t_start, 4),
                "read_s": round(t1 - t0, 4),
                "solve_s": round(t2 - t1, 4),
                "extract_s": round(t3 - t2, 4),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
