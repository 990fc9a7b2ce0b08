#!/usr/bin/env python3
"""Generate the world-2026 scenario family from one set of tables.

    python3 models/world-2026.py          # writes instances/world-2026*.toml

Every variant is written as a complete scenario file (the format has no overlays), so the
shipped .toml files are what the tool reads; this script only keeps them consistent. Each
number below is either a calibration to a public figure (see instances/world-2026.md, where
every source is cited) or an assumption, marked as such with the reason. Units: one unit of
a layer is USD 1bn of its output at 2026 reference prices; money is USD bn; one period is a
representative year of 2026-2030, with expansion and entry costs annualised.

Variants (models/world-2026.md explains each):
  world-2026.toml              baseline: today's policies, every agreement inactive
  world-2026-sovereign.toml    every bloc holds a high domestic floor on every critical layer
  world-2026-coordinated.toml  the same floors, every coordination agreement active
The seed's two cases are agreements in every file (korea-specialisation, india-services):
  aistack solve instances/world-2026-sovereign.toml --activate korea-specialisation
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "instances")

# ---------------------------------------------------------------------------------------------
# Countries and blocs. income: H high, M middle (upper or lower), L mostly low-income.
# ---------------------------------------------------------------------------------------------
COUNTRIES = [
    ("USA", "United States", "H"),
    ("CHN", "China", "M"),
    ("TWN", "Chinese Taipei", "H"),
    ("KOR", "Korea", "H"),
    ("JPN", "Japan", "H"),
    ("EU", "European Union", "H"),
    ("UK", "United Kingdom", "H"),
    ("IND", "India", "M"),
    ("ISR", "Israel", "H"),
    ("SGP", "Singapore", "H"),
    ("CAN", "Canada", "H"),
    ("AUS", "Australia and New Zealand", "H"),
    ("BRA", "Brazil", "M"),
    ("GULF", "Gulf states (GCC)", "H"),
    ("ASEAN", "ASEAN (excl. Singapore)", "M"),
    ("AFR", "Africa", "L"),
    ("ROW", "Rest of world", "M"),
]
IDS = [c[0] for c in COUNTRIES]

# ---------------------------------------------------------------------------------------------
# Layers of the stack. inputs are units of k per unit of l (value shares at reference prices,
# assumption: stylised cost structures of each layer).
# ---------------------------------------------------------------------------------------------
LAYERS = [
    dict(id="fab", name="Logic wafer fabrication", inputs={"talent": 0.05},
         adjacent=["memory"]),
    dict(id="memory", name="Memory and advanced packaging", inputs={"fab": 0.05, "talent": 0.05},
         adjacent=["fab"]),
    dict(id="compute", name="Data-centre compute", inputs={"fab": 0.30, "memory": 0.25},
         trade_cost=0.08),
    dict(id="models", name="Frontier models", inputs={"compute": 0.40, "data": 0.10, "talent": 0.20},
         import_requires={"evaluation": 0.05}, interop_cost=0.05, adjacent=["apps", "compute"]),
    dict(id="data", name="Data and data governance", tradable=False, inputs={"talent": 0.10}),
    dict(id="apps", name="Applications, services and industrial AI",
         inputs={"models": 0.10, "compute": 0.10, "data": 0.05, "talent": 0.30}, trade_cost=0.05),
    dict(id="talent", name="AI and software talent", tradable=False),
    dict(id="evaluation", name="Evaluation, assurance and governance", tradable=False,
         inputs={"talent": 0.30}, adjacent=["talent"]),
]
LAYER_IDS = [l["id"] for l in LAYERS]
CRITICAL = ["fab", "memory", "compute", "models"]  # tradable layers a sovereign bloc insists on

DEFAULT_TRADE_COST = 0.04
ADJACENCY_DISCOUNT = 0.2

# ---------------------------------------------------------------------------------------------
# Existing capacity K0 (units per year) and unit cost u. CALIBRATED where noted.
# ---------------------------------------------------------------------------------------------
# Wafer capacity (fab + memory wafers) = 700 units, about the size of the world chip market in
# USD bn (ASSUMPTION). CALIBRATED: China, Chinese Taipei, Korea, Japan and the US hold 87% of
# in-production wafer capacity (OECD 2025) -> 609 units for the five. The split among the five and the remaining 13% is an ASSUMPTION (the report gives the
# total, not the split here). Korea: ~80% of its wafer capacity at 6-<22 nm, i.e. memory
# (OECD 2025), so 80% of Korea's wafers are booked under memory.
WAFER_TOTAL = 700
WAFER_SHARE = {  # share of world in-production wafer capacity
    "CHN": 0.29, "TWN": 0.21, "KOR": 0.18, "JPN": 0.11, "USA": 0.08,  # = 0.87
    "EU": 0.05, "SGP": 0.03, "ASEAN": 0.02, "ISR": 0.01, "ROW": 0.02,  # = 0.13
}
MEMORY_SHARE_OF_WAFERS = {  # ASSUMPTION except Korea (OECD: ~80% at memory nodes)
    "KOR": 0.80, "CHN": 0.20, "TWN": 0.12, "JPN": 0.35, "USA": 0.12, "SGP": 0.40,
}
# Advanced packaging (OSAT, CoWoS) is booked under memory too; not in the OECD front-end
# figure. ASSUMPTION: Chinese Taipei, Malaysia (ASEAN), Korea and China lead back-end.
PACKAGING = {"TWN": 14, "ASEAN": 10, "KOR": 6, "CHN": 8, "USA": 2, "JPN": 2}

# Data-centre compute, 420 units. CALIBRATED: high-income economies host ~77% of data-centre
# capacity, upper-middle 18%, lower-middle 5%, low-income <0.1% (World Bank 2025). The split
# inside each income group is an ASSUMPTION.
COMPUTE_TOTAL = 420
COMPUTE_SHARE = {
    # high income, 0.77
    "USA": 0.455, "EU": 0.09, "JPN": 0.05, "UK": 0.03, "GULF": 0.03, "SGP": 0.025,
    "KOR": 0.025, "AUS": 0.02, "CAN": 0.02, "TWN": 0.015, "ISR": 0.01,
    # upper-middle income, 0.18 (China, Brazil, Malaysia/Thailand/Indonesia, part of ROW)
    "CHN": 0.14, "BRA": 0.012, "ASEAN": 0.012, "ROW": 0.016,
    # lower-middle income, 0.05 (India, most of Africa, Viet Nam and the Philippines, part of ROW)
    "IND": 0.03, "AFR": 0.01,
}
COMPUTE_SHARE["ASEAN"] += 0.005
COMPUTE_SHARE["ROW"] += 0.005
# low income: under 0.1% (World Bank 2025), booked as zero

# Frontier models. CALIBRATED: notable AI models of 2024 by country (Stanford AI Index 2025):
# US 40, China 15, Europe 3 (France); Korea, Canada, Israel and Saudi Arabia 1 each. ASSUMPTION:
# two units of frontier-model output per notable model.
NOTABLE_MODELS_2024 = {"USA": 40, "CHN": 15, "EU": 3, "KOR": 1, "CAN": 1, "ISR": 1, "GULF": 1}
UNITS_PER_MODEL = 2.0

# Applications and services. CALIBRATED: India's services exports ~USD 383-388bn in FY25, of
# which IT/ITeS ~USD 200bn (commerce ministry); India's apps capacity is its IT/ITeS exports
# plus a domestic market (ASSUMPTION: 60 units). Others: ASSUMPTION, roughly by size of the
# software and IT-services sector.
APPS = {
    "USA": 300, "EU": 170, "CHN": 170, "IND": 240, "JPN": 50, "UK": 55, "KOR": 30, "CAN": 22,
    "ISR": 25, "TWN": 10, "SGP": 12, "AUS": 18, "BRA": 20, "GULF": 10, "ASEAN": 35, "AFR": 10,
    "ROW": 55,
}

# Talent pool (units = USD 1bn of skilled AI/software labour at US wages) and the wage per
# unit relative to the US. ASSUMPTION: pools by software workforce, wages by income level.
TALENT = {  # (pool, wage)
    "USA": (150, 1.00), "CHN": (120, 0.40), "TWN": (14, 0.45), "KOR": (26, 0.55),
    "JPN": (35, 0.60), "EU": (110, 0.70), "UK": (30, 0.80), "IND": (90, 0.20),
    "ISR": (14, 0.80), "SGP": (8, 0.80), "CAN": (16, 0.75), "AUS": (12, 0.75),
    "BRA": (18, 0.30), "GULF": (8, 0.70), "ASEAN": (30, 0.25), "AFR": (14, 0.15),
    "ROW": (45, 0.30),
}

# Evaluation capacity (AI safety/security institutes, conformity assessment). ASSUMPTION by
# the institutes that exist in 2025 (US CAISI, UK AISI, EU AI Office, Japan, Korea, Singapore,
# Canada AISIs; China's national testing bodies).
EVALUATION = {"USA": 6, "UK": 5, "EU": 5, "JPN": 2, "KOR": 2, "SGP": 2, "CAN": 1.5, "CHN": 4}

# Unit costs of existing producers (USD bn per unit, before inputs). ASSUMPTION: reference
# price 1 per unit, so an efficient producer's unit cost plus inputs is just under 1.
UNIT_COST = {
    "fab": {"TWN": 0.55, "KOR": 0.62, "CHN": 0.60, "JPN": 0.68, "USA": 0.80, "EU": 0.78,
            "SGP": 0.66, "ISR": 0.72, "ASEAN": 0.66, "ROW": 0.75},
    "memory": {"KOR": 0.55, "TWN": 0.60, "CHN": 0.62, "JPN": 0.66, "USA": 0.74, "SGP": 0.64,
               "ASEAN": 0.62},
    "compute": {"USA": 0.36, "GULF": 0.30, "CHN": 0.36, "EU": 0.42, "JPN": 0.42, "UK": 0.42,
                "SGP": 0.44, "KOR": 0.40, "AUS": 0.40, "CAN": 0.36, "TWN": 0.40, "ISR": 0.42,
                "BRA": 0.40, "ASEAN": 0.38, "ROW": 0.42, "IND": 0.38, "AFR": 0.45},
    "models": {"USA": 0.30, "CHN": 0.30, "EU": 0.38, "KOR": 0.38, "CAN": 0.36, "ISR": 0.36,
               "GULF": 0.40},
}
DATA_UNIT_COST = 0.25
APPS_UNIT_COST = 0.25
EVAL_UNIT_COST = 0.3

# Greenfield entry where a bloc has no capacity today. ASSUMPTION: unit cost at a premium over
# the layer's best producer, annualised capex per unit of new capacity; which blocs could build
# at all is restricted (not every bloc can build a logic or memory fab by 2030).
GREENFIELD = {
    #           unit_cost, expansion_cost, max_expansion, who
    "fab": (0.95, 0.60, 40, ["UK", "IND", "CAN", "AUS", "BRA", "GULF"]),
    "memory": (0.90, 0.55, 40, ["EU", "UK", "IND", "ISR", "CAN", "BRA", "GULF", "ROW"]),
    "compute": None,  # everyone has some data-centre capacity already
    "models": (0.50, 0.40, 40, ["JPN", "TWN", "UK", "IND", "SGP", "AUS", "BRA", "ASEAN", "AFR",
                                "ROW"]),
    "evaluation": (0.45, 0.30, 6, ["TWN", "IND", "ISR", "AUS", "BRA", "GULF", "ASEAN", "AFR",
                                   "ROW"]),
}
# Expansion of existing capacity: share of K0 that can be added, its annualised cost per unit,
# and a minimum that can always be added (a new fab or data centre).
EXPANSION = {"fab": (0.25, 0.45, 10), "memory": (0.25, 0.40, 10), "compute": (0.6, 0.25, 5),
             "models": (0.8, 0.30, 4), "data": (1.0, 0.10, 0), "apps": (0.3, 0.15, 0),
             "talent": (0.15, 0.60, 0), "evaluation": (1.0, 0.25, 0)}
# Entry costs (binary decisions) only where the story needs them: a frontier-model lab is a
# lumpy investment. ASSUMPTION: annualised USD bn.
ENTRY = {("IND", "models"): (2.0, 4.0), ("JPN", "models"): (2.0, 4.0), ("UK", "models"): (2.0, 4.0)}

# ---------------------------------------------------------------------------------------------
# Final demand (units per year) and willingness to pay.
# ---------------------------------------------------------------------------------------------
# Direct use of frontier models (chat, API). CALIBRATED: middle-income economies carry over half
# of generative-AI traffic and low-income economies under 1% (World Bank 2024). Quantities
# follow traffic; ASSUMPTION: willingness to pay falls with income.
MODELS_USE_TOTAL = 70
MODELS_USE_SHARE = {
    "USA": 0.20, "EU": 0.10, "UK": 0.03, "JPN": 0.035, "KOR": 0.02, "TWN": 0.01, "CAN": 0.02,
    "AUS": 0.01, "ISR": 0.005, "SGP": 0.005, "GULF": 0.02,                     # H: 0.46
    "CHN": 0.13, "IND": 0.12, "BRA": 0.06, "ASEAN": 0.09, "ROW": 0.11,         # M: 0.51
    "AFR": 0.03,                                                               # L/M: 0.03
}
# Apps and services demand, by size of the digital economy. ASSUMPTION.
APPS_USE_TOTAL = 1150
APPS_USE_SHARE = {
    "USA": 0.30, "EU": 0.18, "CHN": 0.15, "JPN": 0.05, "UK": 0.04, "IND": 0.05, "KOR": 0.025,
    "CAN": 0.02, "AUS": 0.02, "BRA": 0.02, "ASEAN": 0.03, "GULF": 0.02, "TWN": 0.01,
    "ISR": 0.007, "SGP": 0.006, "AFR": 0.012, "ROW": 0.05,
}
# Chips for the rest of the economy (electronics, cars), where devices are assembled.
# ASSUMPTION.
CHIPS_USE_TOTAL = {"fab": 320, "memory": 160}
CHIPS_USE_SHARE = {
    "CHN": 0.35, "ASEAN": 0.10, "USA": 0.12, "EU": 0.10, "JPN": 0.07, "KOR": 0.05, "TWN": 0.05,
    "IND": 0.04, "ROW": 0.05, "BRA": 0.02, "GULF": 0.01, "UK": 0.01, "CAN": 0.01, "AUS": 0.005,
    "ISR": 0.005, "SGP": 0.005, "AFR": 0.005,
}
# Non-AI cloud compute. ASSUMPTION.
COMPUTE_USE_TOTAL = 140
COMPUTE_USE_SHARE = APPS_USE_SHARE
# Evaluation and governance as a final service (conformity assessment of deployments).
EVAL_USE_TOTAL = 8
WTP = {"H": 1.0, "M": 0.85, "L": 0.7}
BLOCKS = [(0.5, 2.5), (0.3, 1.4), (0.2, 1.05)]  # (share of quantity, value per unit at WTP 1)

# Data: non-tradable; each bloc's data capacity scales with its apps sector (the larger of its
# apps capacity and apps use). ASSUMPTION.
DATA_PER_APP = 0.06

# ---------------------------------------------------------------------------------------------
# Policies.
# ---------------------------------------------------------------------------------------------
# Export controls (ASSUMPTION of their effect at layer level): no advanced compute or frontier
# models from the US and its chip partners to China.
BLOCKS_TRADE = [(e, "CHN", ["compute", "models"]) for e in ["USA", "TWN", "KOR", "JPN", "EU", "ISR", "SGP", "UK", "CAN", "AUS"]]
# Today's floors (baseline): China's self-reliance drive, the US and EU chips acts.
BASELINE_SECURITY = [
    ("CHN", "models", 0.9), ("CHN", "fab", 0.5), ("CHN", "compute", 0.8),
    ("USA", "fab", 0.2), ("EU", "fab", 0.2),
]
SOVEREIGN_FLOOR = 0.7
# The Korea case keeps "critical deployments" sovereign: at least half of Korea's use of
# applications is produced at home, in the sovereign and coordinated variants alike (its
# evaluation is non-tradable, so sovereign by construction, and committed in its agreement).
SOVEREIGN_EXTRA = [("KOR", "apps", 0.5)]

AGREEMENTS = [
    dict(id="chip-alliance", name="Trusted chip supply among the wafer economies",
         members=["USA", "TWN", "KOR", "JPN", "EU", "SGP"],
         clauses=[
             dict(kind="trusted_supply", layers=["fab", "memory", "compute"]),
             dict(kind="trade_cost_factor", layers=["fab", "memory"], factor=0.5),
             dict(kind="no_duplication", layer="memory", max_producers=5),
         ]),
    dict(id="ai-compact", name="Frontier-AI compact: trusted models, mutual recognition of evaluation",
         members=["USA", "UK", "EU", "JPN", "CAN", "AUS", "ISR", "SGP"],
         clauses=[
             dict(kind="trusted_supply", layers=["models", "compute"]),
             dict(kind="mutual_recognition", layers=["models", "evaluation"]),
             dict(kind="upgrade_route", layers=["models"], entry_discount=0.5),
         ]),
    dict(id="korea-specialisation",
         name="Korea specialises in fab, memory, packaging and industrial AI; keeps evaluation sovereign",
         members=["KOR", "USA", "JPN", "EU"],
         clauses=[
             dict(kind="trusted_supply", layers=["fab", "memory", "compute", "models"]),
             dict(kind="trade_cost_factor", layers=["memory", "apps"], factor=0.5),
             dict(kind="commit", country="KOR", layer="evaluation", build=True),
         ]),
    dict(id="india-services",
         name="India scales apps and services; builds evaluation, talent and data governance",
         members=["IND", "USA", "EU", "UK", "JPN"],
         clauses=[
             dict(kind="trusted_supply", layers=["compute", "models"]),
             dict(kind="trade_cost_factor", layers=["apps"], factor=0.5),
             dict(kind="mutual_recognition", layers=["data"]),
             dict(kind="upgrade_route", layers=["models", "evaluation"], entry_discount=0.5),
             dict(kind="commit", country="IND", layer="evaluation", build=True),
         ]),
    dict(id="global-south-compute", name="Trusted compute and models for the middle- and low-income blocs",
         members=["USA", "EU", "GULF", "BRA", "ASEAN", "AFR", "ROW", "IND"],
         clauses=[
             dict(kind="trusted_supply", layers=["compute", "models"]),
         ]),
]

VARIANTS = {
    "world-2026": dict(security="baseline", active=[]),
    "world-2026-sovereign": dict(security="sovereign", active=[]),
    "world-2026-coordinated": dict(security="sovereign", active=[a["id"] for a in AGREEMENTS]),
}


# ---------------------------------------------------------------------------------------------
def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, (int,)):
        return str(v)
    if isinstance(v, float):
        r = round(v, 4)
        if r == int(r) and abs(r) < 1e6:
            return str(int(r))
        return repr(r)
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {fmt(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def table(out, name, fields):
    out.append(f"\n[[{name}]]")
    for k, v in fields.items():
        if v is None:
            continue
        out.append(f"{k} = {fmt(v)}")


def capabilities():
    caps = []  # dicts

    def add(c, l, k0, u, **kw):
        share, kappa, minimum = EXPANSION[l]
        caps.append(dict(country=c, layer=l, unit_cost=u, capacity=round(k0, 1),
                         max_expansion=round(max(k0 * share, minimum), 1),
                         expansion_cost=kappa, **kw))

    # fab and memory from wafer shares; advanced packaging under memory
    for c, share in WAFER_SHARE.items():
        wafers = WAFER_TOTAL * share
        m = MEMORY_SHARE_OF_WAFERS.get(c, 0.0)
        add(c, "fab", wafers * (1 - m), UNIT_COST["fab"][c])
        mem = wafers * m + PACKAGING.get(c, 0)
        if mem > 0:
            add(c, "memory", mem, UNIT_COST["memory"][c])
    for c, p in PACKAGING.items():
        if c not in WAFER_SHARE:
            add(c, "memory", p, UNIT_COST["memory"][c])
    for c, share in COMPUTE_SHARE.items():
        add(c, "compute", COMPUTE_TOTAL * share, UNIT_COST["compute"][c])
    for c, n in NOTABLE_MODELS_2024.items():
        add(c, "models", n * UNITS_PER_MODEL, UNIT_COST["models"][c])
    for c in IDS:
        use = APPS_USE_TOTAL * APPS_USE_SHARE[c]
        add(c, "data", DATA_PER_APP * max(use, APPS[c]), DATA_UNIT_COST)
        add(c, "apps", APPS[c], APPS_UNIT_COST)
        pool, wage = TALENT[c]
        # expansion cost of talent (training, immigration) scales with the wage
        caps.append(dict(country=c, layer="talent", unit_cost=wage, capacity=pool,
                         max_expansion=round(pool * EXPANSION["talent"][0], 1),
                         expansion_cost=round(EXPANSION["talent"][1] * wage, 3)))
        if c in EVALUATION:
            add(c, "evaluation", EVALUATION[c], EVAL_UNIT_COST)
    for l, g in GREENFIELD.items():
        if g is None:
            continue
        u, k, x, who = g
        for c in who:
            kw = dict(country=c, layer=l, unit_cost=u, max_expansion=x, expansion_cost=k)
            if (c, l) in ENTRY:
                f, s = ENTRY[(c, l)]
                kw.update(entry_cost=f, min_scale=s)
            caps.append(kw)
    order = {c: i for i, c in enumerate(IDS)}
    lorder = {l: i for i, l in enumerate(LAYER_IDS)}
    caps.sort(key=lambda d: (lorder[d["layer"]], order[d["country"]]))
    return caps


def demands():
    out = []
    inc = {c: i for c, _, i in COUNTRIES}

    def blocks(q, c, scale=1.0):
        w = WTP[inc[c]]
        return [dict(quantity=round(q * s, 2), value=round(v * w * scale, 3)) for s, v in BLOCKS]

    for c in IDS:
        for l, tot in CHIPS_USE_TOTAL.items():
            out.append(dict(country=c, layer=l, blocks=blocks(tot * CHIPS_USE_SHARE[c], c)))
        out.append(dict(country=c, layer="compute", blocks=blocks(COMPUTE_USE_TOTAL * COMPUTE_USE_SHARE[c], c)))
        out.append(dict(country=c, layer="models", blocks=blocks(MODELS_USE_TOTAL * MODELS_USE_SHARE[c], c, 1.5)))
        out.append(dict(country=c, layer="apps", blocks=blocks(APPS_USE_TOTAL * APPS_USE_SHARE[c], c, 1.6)))
        out.append(dict(country=c, layer="evaluation", blocks=blocks(EVAL_USE_TOTAL * APPS_USE_SHARE[c], c, 1.5)))
    order = {l: i for i, l in enumerate(LAYER_IDS)}
    out.sort(key=lambda d: (order[d["layer"]], IDS.index(d["country"])))
    return out


def security(kind):
    if kind == "baseline":
        return [dict(country=c, layer=l, domestic_floor=s) for c, l, s in BASELINE_SECURITY]
    floors = [dict(country=c, layer=l, domestic_floor=SOVEREIGN_FLOOR) for l in CRITICAL for c in IDS]
    return floors + [dict(country=c, layer=l, domestic_floor=f) for c, l, f in SOVEREIGN_EXTRA]


def render(name, variant):
    out = []
    out.append(f"# {name}: generated by models/world-2026.py; edit the script, not this file.")
    out.append("# Sources and assumptions: instances/world-2026.md; variants: models/world-2026.md.")
    out.append("")
    out.append("[meta]")
    out.append(f'name = "{name}"')
    desc = {
        "world-2026": "AI-stack world 2026, 17 blocs x 8 layers; today's security policies, agreements inactive. One period is one year (2026-2030); money flows are USD bn per period, i.e. per year.",
        "world-2026-sovereign": "Every bloc holds a 70% domestic floor on fab, memory, compute and models; no agreements. One period is one year (2026-2030); money flows are USD bn per period, i.e. per year.",
        "world-2026-coordinated": "The sovereign floors, with every coordination agreement active (trusted supply counts toward floors). One period is one year (2026-2030); money flows are USD bn per period, i.e. per year.",
    }[name]
    out.append(f'description = "{desc}"')
    out.append('currency = "USD bn"')
    out.append("periods = 1")
    out.append("")
    out.append("[trade]")
    out.append(f"default_cost = {fmt(DEFAULT_TRADE_COST)}")
    for e, i, ls in BLOCKS_TRADE:
        table(out, "trade.block", {"from": e, "to": i, "layers": ls})
    out.append("")
    out.append("[upgrade]")
    out.append(f"adjacency_discount = {fmt(ADJACENCY_DISCOUNT)}")
    for l in LAYERS:
        table(out, "layer", {k: l.get(k) for k in ["id", "name", "tradable", "inputs", "import_requires",
                                                  "trade_cost", "interop_cost", "adjacent"]})
    for c, n, _ in COUNTRIES:
        table(out, "country", {"id": c, "name": n})
    for cap in capabilities():
        table(out, "capability", cap)
    for d in demands():
        table(out, "demand", d)
    for s in security(variant["security"]):
        table(out, "security", s)
    for a in AGREEMENTS:
        table(out, "agreement", {"id": a["id"], "name": a["name"], "members": a["members"],
                                 "active": a["id"] in variant["active"]})
        for cl in a["clauses"]:
            table(out, "agreement.clause", cl)
    return "\n".join(out) + "\n"


def main():
    for name, variant in VARIANTS.items():
        path = os.path.join(OUT, name + ".toml")
        with open(path, "w") as f:
            f.write(render(name, variant))
        print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    sys.exit(main())
