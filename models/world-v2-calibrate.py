#!/usr/bin/env python3
"""Fit the free parameters of world-v2 to the observed figures and report the residuals.

    cargo build --release
    python3 models/world-v2-calibrate.py            # fit, write the fit, regenerate, report
    python3 models/world-v2-calibrate.py --check    # only solve the shipped file and report

The observed figures are models/world-v2-calibration.toml (the table instances/world-v2.md shows
and tests/world_v2.rs asserts). Each row with a `free_parameter` names the generator value
(models/world-v2.py, `TABLE.KEY.KEY`) fitted to it; the other rows are checks only. Every
iteration solves instances/world-v2.toml with `aistack solve --format json --set ...` (the
candidate values as overrides of the shipped file), measures every figure in period 1 (2026)
and updates each parameter:
  - a share s of a layer's output held by country c with capacity K: K = s* O / (1 - s*), where
    O is the rest of the world's output at the last solve (exact when capacities bind);
  - a flow (exports, net imports): the parameter times observed / model (damped to [0.7, 1.4]).
When every figure is within a quarter of its tolerance (or after 8 rounds) the fit is written to
models/world-v2-fit.json, the scenario is regenerated from it, solved once more without
overrides, and the model column of the CSV and the table in instances/world-v2.md are
rewritten from that solve (`model` and `residual` of each
figure). Python 3 standard library only.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCEN = os.path.join(ROOT, "instances", "world-v2.toml")
TABLE = os.path.join(HERE, "world-v2-calibration.toml")
FIT = os.path.join(HERE, "world-v2-fit.json")
DOC = os.path.join(ROOT, "instances", "world-v2.md")
BIN = os.environ.get("AISTACK") or next(
    (p for p in [os.path.join(ROOT, "target", "release", "aistack"),
                 os.path.join(ROOT, "target", "debug", "aistack")] if os.path.exists(p)),
    "aistack")


def generator():
    spec = importlib.util.spec_from_file_location("world_v2", os.path.join(HERE, "world-v2.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_rows():
    with open(TABLE, "rb") as f:
        return tomllib.load(f)["figure"]


def solve(sets):
    cmd = [BIN, "solve", SCEN, "--format", "json"]
    for s in sets:
        cmd += ["--set", s]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])}: exit {out.returncode}\n{out.stderr}")
    return json.loads(out.stdout)


def measure(out, row, period=1):
    """The model's value of a calibration row (period 1 = 2026)."""
    layers = row["layers"]
    c = row["country"]
    prod = [p for p in out["production"] if p["period"] == period and p["layer"] in layers]
    flows = [f for f in out["flows"] if f["period"] == period and f["layer"] in layers]
    kind = row["kind"]
    if kind == "share":
        world = sum(p["quantity"] for p in prod)
        own = sum(p["quantity"] for p in prod if p["country"] == c)
        return own / world if world > 0 else 0.0
    if kind == "exports":
        return sum(f["quantity"] for f in flows if f["from"] == c)
    if kind == "net_imports":
        return sum(f["quantity"] for f in flows if f["to"] == c) - sum(
            f["quantity"] for f in flows if f["from"] == c)
    if kind == "production":
        return sum(p["quantity"] for p in prod if c == "*" or p["country"] == c)
    raise ValueError(f"{TABLE}: row {row['id']}: unknown kind {kind}")


def get(gen, path):
    if "." not in path:
        return getattr(gen, path)
    obj = vars(gen)
    for p in path.split("."):
        obj = obj[p]
    return obj


def overrides(gen, values):
    """--set texts for candidate parameter values."""
    sets = []
    for path, v in values.items():
        parts = path.split(".")
        if parts[0] == "CAPACITY":
            sets.append(f"capability[{parts[2]}/{parts[1]}].capacity={v:.4f}")
        elif parts[0] == "CHIP_SHARE":
            c = parts[1]
            scale = values.get("DRAM_SCALE", gen.DRAM_SCALE)
            for l, tot in gen.DEVICE_CHIPS.items():
                q = tot * v * (scale if l == "dram" else 1.0)
                for i, (s, _) in enumerate(gen.BLOCKS, start=1):
                    sets.append(f"demand[{c}/{l}].blocks[{i}].quantity={q * s:.4f}")
        elif path == "DRAM_SCALE":
            for c, k in gen.CAPACITY["dram"].items():
                sets.append(f"capability[{c}/dram].capacity={k * v:.4f}")
            for c, share in gen.CHIP_SHARE.items():
                share = values.get(f"CHIP_SHARE.{c}", share)
                for i, (s, _) in enumerate(gen.BLOCKS, start=1):
                    q = gen.DEVICE_CHIPS["dram"] * share * v * s
                    sets.append(f"demand[{c}/dram].blocks[{i}].quantity={q:.4f}")
        else:
            raise ValueError(f"no override for {path}")
    return sets


def update(row, value, model, out):
    obs = row["observed"]
    if row["kind"] == "share":
        layers = row["layers"]
        rest = sum(p["quantity"] for p in out["production"] if p["period"] == 1
                   and p["layer"] in layers and p["country"] != row["country"])
        return obs * rest / (1 - obs)
    ratio = obs / model if model > 1e-9 else 1.4
    return value * min(1.4, max(0.7, ratio))


def report(rows, out):
    print(f"{'figure':32} {'observed':>9} {'model':>9} {'residual':>9} {'tol':>7}  fit")
    ok = True
    for r in rows:
        m = measure(out, r)
        res = m - r["observed"]
        within = abs(res) <= r["tolerance"]
        ok &= within
        r["model"] = round(m, 4)
        r["residual"] = round(res, 4)
        print(f"{r['id']:32} {float(r['observed']):9.3f} {m:9.3f} {res:+9.3f} {float(r['tolerance']):7.3f}  "
              f"{'ok' if within else 'OUTSIDE'}")
    return ok


def toml_value(v):
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(float(v))


def write_table(rows):
    with open(TABLE) as f:
        text = f.read()
    head = text[: text.index("[[figure]]")]
    parts = [head.rstrip("\n") + "\n"]
    keys = ["id", "figure", "kind", "country", "layers", "observed", "tolerance", "model",
            "residual", "free_parameter", "source"]
    for r in rows:
        parts.append("\n[[figure]]\n" + "".join(
            f"{k} = {toml_value(r[k])}\n" for k in keys if k in r))
    with open(TABLE, "w") as f:
        f.write("".join(parts))
    lines = ["| figure | observed | tolerance | model (2026) | residual | fitted parameter | source |",
             "|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['figure']} | {r['observed']:g} | ±{r['tolerance']:g} | {r['model']:.3f} | "
                     f"{r['residual']:+.3f} | {r.get('free_parameter', 'check only')} | {r['source']} |")
    with open(DOC) as f:
        doc = f.read()
    a, b = "<!-- calibration-table -->", "<!-- /calibration-table -->"
    if a in doc and b in doc:
        head, rest = doc.split(a, 1)
        _, tail = rest.split(b, 1)
        doc = head + a + "\n" + "\n".join(lines) + "\n" + b + tail
        with open(DOC, "w") as f:
            f.write(doc)


def main(argv):
    rows = read_rows()
    gen = generator()
    if "--check" not in argv:
        free = {r["free_parameter"]: r for r in rows if r.get("free_parameter")}
        values = {p: float(get(gen, p)) for p in free}
        for it in range(1, 9):
            out = solve(overrides(gen, values))
            worst = 0.0
            new = {}
            for p, r in free.items():
                m = measure(out, r)
                worst = max(worst, abs(m - r["observed"]) / r["tolerance"])
                new[p] = update(r, values[p], m, out)
            print(f"round {it}: worst |residual| / tolerance = {worst:.3f}; W = {out['objective']:.2f}")
            if worst <= 0.25:
                break
            values = new
        rounded = {p: round(v, 3) for p, v in values.items()}
        with open(FIT, "w") as f:
            json.dump(rounded, f, indent=2, sort_keys=True)
            f.write("\n")
        subprocess.run([sys.executable, os.path.join(HERE, "world-v2.py")], check=True)
    out = solve([])
    ok = report(rows, out)
    write_table(rows)
    print(f"W = {out['objective']:.4f}; every figure within its tolerance: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
