#!/usr/bin/env python3
"""Generate the world-v2 scenario (issue 15) from one set of tables.

    python3 models/world-v2.py            # writes instances/world-v2.toml
    python3 models/world-v2.py --fit F    # the same, with the fitted values of F (JSON) applied

One file, three policies: the file itself is today's policies (export controls, China's
self-reliance floors, the chips acts; every agreement inactive); `--variant sovereign` adds a
70% domestic floor on every chip, compute and frontier-model layer a bloc can produce;
`--variant coordinated` adds the same floors with every agreement active.

Every number is either CALIBRATED (to a figure in the calibration table,
models/world-v2-calibration.csv, fitted by models/world-v2-calibrate.py) or SOURCED (a public
figure recalled, with year; there was no internet access when this was written, so every
source is recall and carries the uncertainty stated in instances/world-v2.md) or an ASSUMPTION
with a range. Units: one unit of a layer is USD 1bn of a year's output at 2026 reference prices;
money is USD bn. Four periods of three years, represented by the years 2026, 2029, 2032 and
2035: each period's flow terms are one representative year, so capital costs (expansion,
entry) are one third of capex per unit of annual capacity (one year charged per three-year
period) and the discount rate per period is 15% (about 5% a year).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "instances", "world-v2.toml")

PERIODS = 4
DISCOUNT = 0.15

COUNTRIES = [
    ("USA", "United States", "H"), ("CHN", "China", "M"), ("TWN", "Chinese Taipei", "H"),
    ("KOR", "Korea", "H"), ("JPN", "Japan", "H"), ("EU", "European Union", "H"),
    ("UK", "United Kingdom", "H"), ("IND", "India", "M"), ("GULF", "Gulf states (GCC)", "H"),
    ("ASEAN", "ASEAN incl. Singapore", "M"), ("AFR", "Africa", "L"),
    ("ROW", "Rest of world (incl. Canada, Australia, Israel, Brazil)", "M"),
]
IDS = [c[0] for c in COUNTRIES]
INCOME = {c: i for c, _, i in COUNTRIES}

# Layers. inputs: units of k per unit of l (ASSUMPTION: stylised cost shares, +-30%).
LAYERS = [
    dict(id="fab_lead", name="Leading-edge logic (7 nm and below)", inputs={"talent": 0.04},
         adjacent=["fab_mature"], requires_adjacent=True),
    dict(id="fab_mature", name="Mature-node logic, analog and discretes", inputs={"talent": 0.04}),
    dict(id="dram", name="Commodity memory (DRAM and NAND)",
         inputs={"fab_mature": 0.02, "talent": 0.03}),
    dict(id="hbm", name="High-bandwidth memory", inputs={"dram": 0.30, "talent": 0.03},
         adjacent=["dram"], requires_adjacent=True),
    dict(id="packaging", name="Advanced packaging (2.5D/3D, CoWoS-class)",
         inputs={"talent": 0.05}, adjacent=["fab_lead", "hbm"]),
    dict(id="compute", name="AI compute (GPU clusters)",
         inputs={"fab_lead": 0.25, "hbm": 0.20, "packaging": 0.05, "fab_mature": 0.03},
         trade_cost=0.08),
    dict(id="frontier", name="Frontier models (closed weights)",
         inputs={"compute": 0.45, "data": 0.05, "talent": 0.15},
         import_requires={"evaluation": 0.05}, interop_cost=0.05,
         adjacent=["openw", "compute"]),
    dict(id="openw", name="Open-weight models", inputs={"compute": 0.30, "data": 0.05, "talent": 0.15},
         import_requires={"evaluation": 0.02}, adjacent=["apps"]),
    dict(id="data", name="Data and data governance", tradable=False, inputs={"talent": 0.10}),
    dict(id="apps", name="Applications, IT services and industrial AI",
         inputs={"frontier": 0.05, "openw": 0.03, "compute": 0.08, "data": 0.04, "talent": 0.35},
         trade_cost=0.20),  # services trade barriers (language, proximity, regulation); ASSUMPTION 0.1-0.3
    dict(id="talent", name="AI and software talent", tradable=False),
    dict(id="evaluation", name="Evaluation, assurance and governance", tradable=False,
         inputs={"talent": 0.30}, adjacent=["talent"]),
]
LAYER_IDS = [l["id"] for l in LAYERS]
CHIPS = ["fab_lead", "fab_mature", "dram", "hbm", "packaging"]
CRITICAL = ["fab_lead", "fab_mature", "dram", "hbm", "compute", "frontier"]

# ---------------------------------------------------------------------------------------------
# Capacity in 2026 (units a year) by location. SOURCED shares (recall), see world-v2.md.
# ---------------------------------------------------------------------------------------------
CAPACITY = {
    # leading-edge logic, world 230: Taiwan ~75% (TSMC N7-N2), US (Intel, TSMC Arizona) ~12%,
    # Korea (Samsung foundry) ~7%, China (SMIC N7 without EUV) ~4%, EU (Intel Ireland) ~2%.
    "fab_lead": {"TWN": 172, "USA": 28, "KOR": 16, "CHN": 9, "EU": 5},
    # mature logic, analog, discretes, world 290.
    "fab_mature": {"CHN": 72, "TWN": 58, "USA": 35, "JPN": 35, "EU": 29, "KOR": 17, "ASEAN": 29,
                   "ROW": 15},
    # DRAM + NAND, world 160, by owner's home (Korean firms' fabs in China booked in Korea).
    "dram": {"KOR": 96, "JPN": 20, "TWN": 12, "CHN": 18, "USA": 4, "ASEAN": 10},
    # HBM, world 40: SK hynix + Samsung ~85%, Micron (Taichung, Hiroshima) the rest.
    "hbm": {"KOR": 34, "TWN": 6, "JPN": 3},
    # advanced packaging, world 12: TSMC CoWoS dominant.
    "packaging": {"TWN": 9, "KOR": 1, "ASEAN": 1, "CHN": 0.5, "JPN": 0.5},
    # AI compute, world 300: US ~75%, China ~15% of GPU-cluster performance (Epoch AI 2025).
    "compute": {"USA": 225, "CHN": 45, "EU": 9, "GULF": 4.5, "JPN": 3, "UK": 3, "KOR": 2.4,
                "IND": 1.5, "ASEAN": 3, "ROW": 3, "TWN": 0.6},
    # frontier models, world 140: notable models 2024 US 40, China 15, Europe 3 (AI Index 2025).
    # China's closed-model revenue is well below its count of notable models: 20, not 34.
    "frontier": {"USA": 91, "CHN": 20, "EU": 7, "UK": 2.8, "KOR": 1.4, "ROW": 2.8, "GULF": 1.4},
    # open-weight models, world 60: China leads open-weight releases in 2025 (Qwen, DeepSeek).
    "openw": {"CHN": 27, "USA": 21, "EU": 6, "ROW": 2.4, "KOR": 1.2, "IND": 1.2, "GULF": 1.2},
    # applications and IT services, world 1,252; India = IT-BPM exports ~210 + home market 50.
    "apps": {"USA": 300, "EU": 170, "CHN": 170, "IND": 260, "JPN": 50, "UK": 55, "KOR": 30,
             "TWN": 10, "GULF": 10, "ASEAN": 47, "AFR": 10, "ROW": 140},
    # AI safety institutes and testing bodies (2025); every bloc has some conformity assessment,
    # which an importer of models needs (import_requires), so none starts at zero. ASSUMPTION.
    "evaluation": {"USA": 6, "UK": 5, "EU": 5, "JPN": 2, "KOR": 2, "ASEAN": 2, "ROW": 1.5,
                   "CHN": 4, "IND": 1, "TWN": 0.5, "GULF": 0.5, "AFR": 0.3},
}
TALENT = {  # (pool, wage relative to the US); ASSUMPTION as in world-2026 (v1), blocs merged
    "USA": (150, 1.00), "CHN": (120, 0.40), "TWN": (14, 0.45), "KOR": (26, 0.55),
    "JPN": (35, 0.60), "EU": (110, 0.70), "UK": (30, 0.80), "IND": (100, 0.20),
    "GULF": (8, 0.70), "ASEAN": (38, 0.30), "AFR": (14, 0.15), "ROW": (105, 0.50),
}
UNIT_COST = {  # ASSUMPTION: unit cost + inputs + capital charge near the reference price 1
    "fab_lead": {"TWN": 0.50, "USA": 0.70, "KOR": 0.58, "CHN": 0.85, "EU": 0.70},
    "fab_mature": {"CHN": 0.50, "TWN": 0.55, "ASEAN": 0.58, "KOR": 0.60, "JPN": 0.62,
                   "USA": 0.70, "EU": 0.68, "ROW": 0.65},
    "dram": {"KOR": 0.50, "TWN": 0.58, "JPN": 0.60, "CHN": 0.62, "USA": 0.65, "ASEAN": 0.60},
    "hbm": {"KOR": 0.40, "TWN": 0.45, "JPN": 0.48},
    "packaging": {"TWN": 0.50, "KOR": 0.60, "ASEAN": 0.55, "CHN": 0.60, "JPN": 0.65},
    "compute": {"USA": 0.25, "GULF": 0.22, "CHN": 0.40, "EU": 0.32, "JPN": 0.32, "UK": 0.32,
                "KOR": 0.30, "IND": 0.28, "ASEAN": 0.30, "ROW": 0.30, "TWN": 0.30},
    "frontier": {"USA": 0.20, "CHN": 0.26, "EU": 0.28, "UK": 0.26, "KOR": 0.28, "ROW": 0.26,
                 "GULF": 0.30},
    "openw": {"CHN": 0.15, "USA": 0.20, "EU": 0.22, "ROW": 0.22, "KOR": 0.22, "IND": 0.20,
              "GULF": 0.22},
}
OTHER_UNIT_COST = {"apps": 0.22, "data": 0.25, "evaluation": 0.30}

# Greenfield (no capacity in 2026): (unit cost, expansion cost, max expansion, who). ASSUMPTION.
GREENFIELD = {
    "fab_lead": (0.75, 1.0, 30, ["JPN", "IND"]),           # Rapidus 2 nm; India via the ladder
    "fab_mature": (0.75, 0.7, 25, ["IND", "GULF"]),         # Tata-PSMC Dholera
    "hbm": (0.55, 0.8, 15, ["USA", "CHN"]),                 # Micron Idaho; CXMT HBM
    "packaging": (0.70, 0.5, 10, ["USA", "IND", "EU"]),     # Amkor Arizona; Micron/Tata Assam
    "compute": (0.35, 0.5, 40, ["AFR"]),
    "frontier": (0.32, 0.3, 20, ["IND", "JPN", "ASEAN"]),
    "openw": (0.28, 0.2, 10, ["JPN", "UK", "ASEAN", "TWN", "AFR"]),
}
# Growth of existing capacity: (share of K0 that can be added over 2026-2035, expansion cost per
# unit, minimum addition). Capital cost is a third of capex per unit of annual capacity.
EXPANSION = {"fab_lead": (2.0, 1.0, 20), "fab_mature": (0.8, 0.7, 10), "dram": (1.0, 0.7, 10),
             "hbm": (3.0, 0.8, 10), "packaging": (4.0, 0.5, 5), "compute": (8.0, 0.5, 20),
             "frontier": (6.0, 0.3, 10), "openw": (5.0, 0.2, 5), "apps": (1.0, 0.2, 0),
             "data": (2.0, 0.1, 0), "talent": (0.5, 0.6, 0), "evaluation": (3.0, 0.3, 0)}
LEAD_TIME = {"fab_lead": 1, "fab_mature": 1, "dram": 1, "hbm": 1, "packaging": 1, "talent": 1}
LIFETIME = {"compute": 2, "frontier": 2, "openw": 2}  # GPUs and model generations
# Existing capacity per period (retirement; leading-edge nodes age out of the leading edge).
CAPACITY_TREND = {"fab_lead": 0.8, "hbm": 0.7, "dram": 0.95, "packaging": 0.9, "compute": 0.5,
                  "frontier": 0.6, "openw": 0.5, "talent": 1.05, "data": 1.1}
# Exogenous cost decline per period (industry learning). ASSUMPTION.
COST_TREND = {"fab_lead": 0.95, "hbm": 0.9, "dram": 0.95, "compute": 0.8, "frontier": 0.8,
              "openw": 0.8}
# Learning by doing (MODEL.md 11.2) where it decides a trajectory: India's first mature fab,
# India's frontier lab, China's leading edge under equipment controls. ASSUMPTION.
LEARNING = {("IND", "fab_mature"): (0.85, 2.0, 150.0), ("IND", "frontier"): (0.80, 1.0, 120.0),
            ("CHN", "fab_lead"): (0.85, 9.0, 120.0)}
# Equipment controls: China cannot add much leading-edge capacity without EUV. ASSUMPTION.
# The accelerator controls cap China's compute growth the same way (domestic accelerators only):
# at most 150 units added by 2035. ASSUMPTION, range 50-300.
EQUIPMENT_CAP = {("CHN", "fab_lead"): 12, ("CHN", "hbm"): 6, ("CHN", "compute"): 150}
# China's GPU clusters run on older and domestic accelerators (A100/H20 stocks, Ascend on SMIC
# 7 nm): per unit of compute, less leading-edge logic and HBM, more mature logic and commodity
# memory, at a higher unit cost (0.40 above: more chips, power and floor space per unit).
# ASSUMPTION.
# HBM stocks bought before the December 2024 controls count as commodity memory here.
CAPABILITY_INPUTS = {("CHN", "compute"): {"fab_lead": 0.08, "fab_mature": 0.15, "dram": 0.12,
                                          "packaging": 0.02}}
# New Chinese clusters wait for domestic accelerators to ramp (SMIC 7 nm output): one period.
# ASSUMPTION (0-1).
CAPABILITY_LEAD_TIME = {("CHN", "compute"): 1}
# Nobody enters a new layer within the first period: greenfield capacity is usable from period 2.
GREENFIELD_LEAD_TIME = 1
# (entry cost, minimum scale). A lumpy first fab or lab; an entry also makes the capability
# count as held (MODEL.md 3.1), which the leading-edge ladder needs. ASSUMPTION.
ENTRY = {("IND", "frontier"): (1.0, 2.0), ("JPN", "frontier"): (1.0, 2.0),
         ("IND", "fab_mature"): (1.0, 5.0), ("JPN", "fab_lead"): (1.5, 5.0),
         ("IND", "fab_lead"): (1.5, 5.0)}

# ---------------------------------------------------------------------------------------------
# Final demand in 2026 (units a year) and growth per period (three years).
# ---------------------------------------------------------------------------------------------
DEVICE_CHIPS = {"fab_lead": 150, "fab_mature": 275, "dram": 140}  # chips in devices, cars
# Size of commodity memory (capacities and device demand together), fitted to Korea's chip
# exports: the 2025-26 memory price cycle makes the market larger than its 2024 size.
DRAM_SCALE = 1.0
CHIP_SHARE = {"CHN": 0.45, "ASEAN": 0.12, "USA": 0.10, "EU": 0.08, "JPN": 0.06, "KOR": 0.05,
              "TWN": 0.05, "IND": 0.04, "ROW": 0.035, "GULF": 0.005, "UK": 0.005, "AFR": 0.005}
COMPUTE_FINAL = 150
# China's AI capex in 2025 was roughly a tenth of the four US hyperscalers' (recall), so its
# share of final compute demand is small; most of China's compute use is as an input.
COMPUTE_SHARE = {"USA": 0.54, "EU": 0.12, "CHN": 0.06, "JPN": 0.05, "UK": 0.04, "KOR": 0.03,
                 "IND": 0.04, "TWN": 0.01, "GULF": 0.02, "ASEAN": 0.03, "ROW": 0.05, "AFR": 0.01}
FRONTIER_FINAL = 80
OPENW_FINAL = 20
MODEL_SHARE = {"USA": 0.20, "EU": 0.10, "UK": 0.03, "JPN": 0.035, "KOR": 0.02, "TWN": 0.01,
               "GULF": 0.02, "CHN": 0.13, "IND": 0.12, "ASEAN": 0.095, "ROW": 0.21, "AFR": 0.03}
APPS_FINAL = 1150
APPS_SHARE = {"USA": 0.30, "EU": 0.18, "CHN": 0.15, "JPN": 0.05, "UK": 0.04, "IND": 0.05,
              "KOR": 0.025, "TWN": 0.01, "GULF": 0.02, "ASEAN": 0.036, "AFR": 0.012, "ROW": 0.127}
EVAL_FINAL = 8
GROWTH = {"fab_lead": 1.3, "fab_mature": 1.12, "dram": 1.2, "compute": 1.8, "frontier": 1.8,
          "openw": 2.0, "apps": 1.25, "evaluation": 1.5}
# AI demand grows faster where adoption starts low (middle- and low-income blocs). ASSUMPTION.
CATCH_UP = {"M": 1.1, "L": 1.15, "H": 1.0}
AI_LAYERS = ["compute", "frontier", "openw", "apps"]
WTP = {"H": 1.0, "M": 0.85, "L": 0.7}
BLOCKS = [(0.5, 2.5), (0.3, 1.4), (0.2, 1.05)]
LAYER_WTP = {"frontier": 1.5, "openw": 1.2, "apps": 1.6, "evaluation": 1.5}
DATA_PER_APP = 0.06

# ---------------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------------
ALIGNED = ["USA", "TWN", "KOR", "JPN", "EU", "UK"]
# Export controls at layer level (2022-2025 rules): HBM, AI compute (advanced accelerators) and
# closed frontier models from the US and its partners to China. Leading-edge logic itself still
# flows to China for the phones and PCs assembled there; the accelerator controls bite through
# China's compute recipe (CAPABILITY_INPUTS) and the equipment controls (EQUIPMENT_CAP).
CONTROLLED = ["hbm", "compute", "frontier"]
# The other direction: data-security rules and procurement bans make Chinese cloud compute and
# closed models costly to use in the US and its partners (open weights are downloaded freely).
# ASSUMPTION: trade cost 0.30 per unit (range 0.1-0.5).
# India restricts Chinese apps and investment since 2020 (Press Note 3): the same friction.
DISTRUST = [("CHN", i, l, 0.30) for i in ALIGNED + ["IND"] for l in ["compute", "frontier"]]
BASELINE_SECURITY = [("CHN", "frontier", 0.9), ("CHN", "compute", 0.8), ("CHN", "fab_mature", 0.6),
                     ("USA", "fab_lead", 0.15), ("EU", "fab_mature", 0.2)]
SOVEREIGN_FLOOR = 0.7
AGREEMENTS = [
    dict(id="chip-alliance", name="Trusted chip supply among the chip economies",
         members=["USA", "TWN", "KOR", "JPN", "EU"],
         clauses=[dict(kind="trusted_supply", layers=CHIPS + ["compute"]),
                  dict(kind="trade_cost_factor", layers=CHIPS, factor=0.5)]),
    dict(id="ai-compact", name="Frontier-AI compact: trusted models, mutual recognition of evaluation",
         members=["USA", "UK", "EU", "JPN", "ROW"],
         clauses=[dict(kind="trusted_supply", layers=["frontier", "openw", "compute"]),
                  dict(kind="mutual_recognition", layers=["frontier", "openw", "evaluation"]),
                  dict(kind="upgrade_route", layers=["frontier"], entry_discount=0.5)]),
    dict(id="korea-specialisation",
         name="Korea specialises in memory, HBM and packaging; keeps evaluation sovereign",
         members=["KOR", "USA", "JPN", "EU"],
         clauses=[dict(kind="trusted_supply", layers=CHIPS + ["compute", "frontier"]),
                  dict(kind="trade_cost_factor", layers=["dram", "hbm", "packaging", "apps"], factor=0.5),
                  dict(kind="upgrade_route", layers=["packaging"], entry_discount=0.5),
                  dict(kind="commit", country="KOR", layer="evaluation", build=True)]),
    dict(id="india-services",
         name="India scales services; enters mature fabs and frontier models; builds evaluation",
         members=["IND", "USA", "EU", "UK", "JPN"],
         clauses=[dict(kind="trusted_supply", layers=["compute", "frontier", "openw", "fab_mature"]),
                  dict(kind="trade_cost_factor", layers=["apps"], factor=0.5),
                  dict(kind="mutual_recognition", layers=["data"]),
                  dict(kind="upgrade_route", layers=["frontier", "fab_lead", "evaluation"], entry_discount=0.5),
                  dict(kind="commit", country="IND", layer="evaluation", build=True, from_period=2)]),
    dict(id="global-south-compute", name="Trusted compute and models for middle- and low-income blocs",
         members=["USA", "EU", "GULF", "ASEAN", "AFR", "ROW", "IND"],
         clauses=[dict(kind="trusted_supply", layers=["compute", "frontier", "openw"])]),
]


def apply_fit(fit):
    """Fitted values from models/world-v2-calibrate.py: `TABLE.KEY[.KEY]` -> number."""
    g = globals()
    for path, v in fit.items():
        parts = path.split(".")
        if len(parts) == 1:
            g[path] = v
            continue
        obj = g[parts[0]]
        for p in parts[1:-1]:
            obj = obj[p]
        obj[parts[-1]] = v


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        r = round(v, 4)
        return str(int(r)) if r == int(r) else repr(r)
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {fmt(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def table(out, name, fields):
    out.append(f"\n[[{name}]]")
    for k, v in fields.items():
        if v is not None:
            out.append(f"{k} = {fmt(v)}")


def capabilities():
    caps = []

    def extra(c, l, kw):
        if l in LEAD_TIME:
            kw["lead_time"] = LEAD_TIME[l]
        if l in LIFETIME:
            kw["lifetime"] = LIFETIME[l]
        if l in COST_TREND:
            kw["cost_trend"] = COST_TREND[l]
        if (c, l) in CAPABILITY_LEAD_TIME:
            kw["lead_time"] = CAPABILITY_LEAD_TIME[(c, l)]
        if (c, l) in CAPABILITY_INPUTS:
            kw["inputs"] = CAPABILITY_INPUTS[(c, l)]
        if (c, l) in EQUIPMENT_CAP:
            kw["max_expansion"] = EQUIPMENT_CAP[(c, l)]
        if (c, l) in ENTRY:
            kw["entry_cost"], kw["min_scale"] = ENTRY[(c, l)]
        if (c, l) in LEARNING:
            p, e0, emax = LEARNING[(c, l)]
            kw["learning"] = dict(progress_ratio=p, experience=e0, max_experience=emax, segments=2)
        caps.append(kw)

    def existing(c, l, k0, u, kappa_scale=1.0):
        share, kappa, minimum = EXPANSION[l]
        kw = dict(country=c, layer=l, unit_cost=u, capacity=round(k0, 2),
                  max_expansion=round(max(k0 * share, minimum), 1),
                  expansion_cost=round(kappa * kappa_scale, 3))
        if l in CAPACITY_TREND:
            kw["capacity_trend"] = CAPACITY_TREND[l]
        extra(c, l, kw)

    for l, by in CAPACITY.items():
        for c, k0 in by.items():
            u = UNIT_COST.get(l, {}).get(c, OTHER_UNIT_COST.get(l))
            existing(c, l, k0 * (DRAM_SCALE if l == "dram" else 1.0), u)
    for c in IDS:
        pool, wage = TALENT[c]
        existing(c, "talent", pool, wage, kappa_scale=wage)
        use = APPS_FINAL * APPS_SHARE[c]
        existing(c, "data", DATA_PER_APP * max(use, CAPACITY["apps"][c]), OTHER_UNIT_COST["data"])
    for l, (u, kappa, x, who) in GREENFIELD.items():
        for c in who:
            kw = dict(country=c, layer=l, unit_cost=u, max_expansion=x, expansion_cost=kappa)
            extra(c, l, kw)
            kw["lead_time"] = max(kw.get("lead_time", 0), GREENFIELD_LEAD_TIME)
    order = {c: i for i, c in enumerate(IDS)}
    lorder = {l: i for i, l in enumerate(LAYER_IDS)}
    caps.sort(key=lambda d: (lorder[d["layer"]], order[d["country"]]))
    return caps


def demands():
    out = []

    def entry(c, l, q):
        w = WTP[INCOME[c]] * LAYER_WTP.get(l, 1.0)
        g = GROWTH[l] * (CATCH_UP[INCOME[c]] if l in AI_LAYERS else 1.0)
        out.append(dict(country=c, layer=l,
                        blocks=[dict(quantity=round(q * s, 3), value=round(v * w, 3)) for s, v in BLOCKS],
                        growth=round(g, 4)))

    for c in IDS:
        for l, tot in DEVICE_CHIPS.items():
            entry(c, l, tot * CHIP_SHARE[c] * (DRAM_SCALE if l == "dram" else 1.0))
        entry(c, "compute", COMPUTE_FINAL * COMPUTE_SHARE[c])
        entry(c, "frontier", FRONTIER_FINAL * MODEL_SHARE[c])
        entry(c, "openw", OPENW_FINAL * MODEL_SHARE[c])
        entry(c, "apps", APPS_FINAL * APPS_SHARE[c])
        entry(c, "evaluation", EVAL_FINAL * APPS_SHARE[c])
    order = {l: i for i, l in enumerate(LAYER_IDS)}
    out.sort(key=lambda d: (order[d["layer"]], IDS.index(d["country"])))
    return out


def sovereign_floors(caps):
    """70% floors on each critical layer a bloc produces in 2026 (capacity > 0; decisions.md
    110). Not where it cannot produce yet: a hard floor there forces its use to zero until it
    has entered (v1's artefact that made Africa consume no chips; in v2 it made India's IT
    sector vanish, its leading-edge use being floored before the ladder lets it enter)."""
    can = {(d["country"], d["layer"]) for d in caps if d.get("capacity", 0) > 0}
    base = {(c, l) for c, l, _ in BASELINE_SECURITY}
    rows = [dict(country=c, layer=l, domestic_floor=SOVEREIGN_FLOOR)
            for l in CRITICAL for c in IDS if (c, l) in can and (c, l) not in base]
    rows += [dict(country=c, layer=l, domestic_floor=max(s, SOVEREIGN_FLOOR))
             for c, l, s in BASELINE_SECURITY]
    return rows


def render():
    caps = capabilities()
    out = ["# world-v2: generated by models/world-v2.py; edit the script, not this file.",
           "# Sources, calibration and assumptions: instances/world-v2.md.", "",
           "[meta]", 'name = "world-v2"',
           'description = "AI-stack world 2026-2035 in four 3-year periods, 12 blocs x 12 layers; '
           'today\'s policies, agreements inactive (variants: sovereign, coordinated)."',
           'currency = "USD bn"', f"periods = {PERIODS}", f"discount_rate = {fmt(DISCOUNT)}", "",
           "[trade]", "default_cost = 0.04"]
    for e, i, l, cost in DISTRUST:
        table(out, "trade.cost", {"from": e, "to": i, "layer": l, "cost": cost})
    for e in ALIGNED:
        table(out, "trade.block", {"from": e, "to": "CHN", "layers": CONTROLLED})
    out += ["", "[upgrade]", "adjacency_discount = 0.2"]
    for l in LAYERS:
        table(out, "layer", {k: l.get(k) for k in ["id", "name", "tradable", "inputs", "import_requires",
                                                  "trade_cost", "interop_cost", "adjacent",
                                                  "requires_adjacent"]})
    for c, n, _ in COUNTRIES:
        table(out, "country", {"id": c, "name": n})
    for cap in caps:
        table(out, "capability", cap)
    for d in demands():
        table(out, "demand", d)
    for c, l, s in BASELINE_SECURITY:
        table(out, "security", dict(country=c, layer=l, domestic_floor=s))
    for a in AGREEMENTS:
        table(out, "agreement", {"id": a["id"], "name": a["name"], "members": a["members"],
                                 "active": False})
        for cl in a["clauses"]:
            table(out, "agreement.clause", cl)
    floors = sovereign_floors(caps)
    out += ["", "[variant.sovereign]",
            'description = "every bloc holds a 70% domestic floor on each chip, compute and frontier layer it can produce; no agreements"']
    for f in floors:
        table(out, "variant.sovereign.security", f)
    acts = [f"agreement[{a['id']}].active=true" for a in AGREEMENTS]
    out += ["", "[variant.coordinated]",
            'description = "the sovereign floors, with every agreement active (trusted supply counts toward floors)"',
            "set = " + fmt(acts)]
    for f in floors:
        table(out, "variant.coordinated.security", f)
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) > 2 and argv[1] == "--fit":
        with open(argv[2]) as f:
            apply_fit(json.load(f))
    else:
        fit = os.path.join(HERE, "world-v2-fit.json")
        if os.path.exists(fit):
            with open(fit) as f:
                apply_fit(json.load(f))
    with open(OUT, "w") as f:
        f.write(render())
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
