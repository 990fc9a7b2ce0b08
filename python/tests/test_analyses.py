"""compare, coalitions, margins, report and sweep against the CLI's JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

import aistack
from conftest import ROOT, cli_json, cli_path
from helpers import assert_frame_matches, assert_json_close, close


def test_compare_matches_the_cli():
    path = "instances/agreement-loser.toml"
    c = aistack.Scenario.from_file(ROOT / path).compare("model-pact")
    want = cli_json("compare", path, "--agreement", "model-pact")
    data = json.loads(c.to_json())
    # The CLI prints the file as given; so does the library, from the path it was given.
    data["file"] = want["file"]
    assert_json_close(data, want)
    assert close(c.w_gain, 114.0)
    assert c.individually_rational is False
    df = c.countries
    assert list(df.columns[:8]) == [
        "country", "member", "without", "with", "gain", "gain_consumers", "gain_producers", "gain_rents",
    ]
    assert_frame_matches(df[["country", "member", "without", "with", "gain"]], [
        {k: r[k] for k in ("country", "member", "without", "with", "gain")} for r in want["countries"]
    ], "countries")
    assert df.set_index("country").loc["LAB", "gain"] == pytest.approx(-20.0, abs=1e-9)
    assert list(c.clauses["binds"]) == [r["binds"] for r in want["clauses"]]
    assert list(c.losers["country"]) == ["LAB"]


def test_compare_unknown_agreement_is_a_value_error():
    s = aistack.Scenario.from_file(ROOT / "instances" / "agreement-loser.toml")
    with pytest.raises(ValueError, match='agreement "model-pac" is unknown'):
        s.compare("model-pac")


@pytest.mark.parametrize("value", ["members", "world"])
def test_coalitions_match_the_cli(value):
    path = "instances/empty-core.toml"
    g = aistack.Scenario.from_file(ROOT / path).coalitions("lab-sharing", value=value)
    want = cli_json("coalitions", path, "--agreement", "lab-sharing", "--value", value)
    data = json.loads(g.to_json())
    data["file"] = want["file"]
    assert_json_close(data, want)
    assert g.method == "exact"
    assert abs(g.shapley.sum() - g.grand_value) < 1e-6 * max(1.0, abs(g.grand_value))
    assert list(g.players["country"]) == want["members"]
    assert len(g.values) == len(want["values"])
    assert g.core_empty == want["least_core"]["core_empty"]


def test_coalitions_monte_carlo_is_seeded():
    path = "instances/empty-core.toml"
    s = aistack.Scenario.from_file(ROOT / path)
    a = s.coalitions("lab-sharing", samples=50, seed=3)
    b = s.coalitions("lab-sharing", samples=50, seed=3)
    want = cli_json("coalitions", path, "--agreement", "lab-sharing", "--samples", "50", "--seed", "3")
    assert a.method == "monte_carlo"
    assert list(a.shapley) == list(b.shapley)
    assert_frame_matches(a.players[["country", "shapley", "std_error"]], [
        {k: p[k] for k in ("country", "shapley", "std_error")} for p in want["players"]
    ], "players")


def test_margins_match_the_cli():
    path = "instances/example.toml"
    s = aistack.Scenario.from_file(ROOT / path)
    m = s.margins(entry=True, shocks=["TWN:fab", ("KOR", "memory")])
    want = cli_json("margins", path, "--entry", "--shock", "TWN:fab", "--shock", "KOR:memory")
    data = json.loads(m.to_json())
    data["file"] = want["file"]
    assert_json_close(data, want)
    # Long tables from the matrices: the price matrix holds every country x layer x period.
    assert len(m.prices) == len(s.countries) * len(s.layers) * s.periods
    sol = s.solve()
    merged = m.prices.merge(sol.prices, on=["country", "layer", "period"], suffixes=("", "_solve"))
    assert ((merged["price"] - merged["price_solve"]).abs() < 1e-9).all()
    assert list(m.shocks["shock"]) == ["TWN:fab", "KOR:memory"]
    assert len(m.entry) == len(want["entry"])
    assert set(m.shock_welfare.columns) >= {"shock", "country", "before", "after", "loss"}
    assert not m.value_added.empty


def test_margins_bad_shock():
    s = aistack.Scenario.from_file(ROOT / "instances" / "example.toml")
    with pytest.raises(ValueError, match="expected SUPPLIER:LAYER"):
        s.margins(shocks=["TWN-fab"])


def test_analysis_of_an_infeasible_configuration_raises_analysis_error():
    path = ROOT / "tests" / "data" / "infeasible" / "commit-vs-noduplication.toml"
    s = aistack.Scenario.from_file(path)
    agreements = list(s.agreements["id"])
    if not agreements:
        pytest.skip("no agreement")
    sol = s.solve()
    assert sol.status == "infeasible"
    m = s.margins()
    assert m.status == "infeasible" and m.diagnosis is not None


def test_report_writes_the_page(tmp_path):
    s = aistack.Scenario.from_file(ROOT / "instances" / "agreement-loser.toml")
    r = s.report(tmp_path / "out")
    assert r.index.exists() and r.index.name == "index.html"
    assert (tmp_path / "out" / "report.json").exists()
    page = json.loads((tmp_path / "out" / "report.json").read_text())
    assert close(page["coordinated"]["objective"], r.cases.set_index("case").loc["coordinated", "objective"])
    assert close(r.cost_of_sovereignty, page["coordinated"]["objective"] - page["sovereign"]["objective"])
    assert list(r.welfare.columns) == ["country", "coordinated", "without", "sovereign", "cost_of_sovereignty"]


def test_sweep_matches_the_cli(tmp_path):
    body = (
        f'scenario = {json.dumps(str(ROOT / "instances" / "example.toml"))}\n'
        'output = "{out}"\n'
        'metrics = ["W", "welfare[KOR]"]\n\n'
        '[[parameter]]\npath = "security[*].domestic_floor"\nvalues = [0.1, 0.3, 0.5]\n'
    )
    py_file = tmp_path / "py.toml"
    py_file.write_text(body.replace("{out}", "py-out"))
    cli_file = tmp_path / "cli.toml"
    cli_file.write_text(body.replace("{out}", "cli-out"))
    r = aistack.sweep(py_file, jobs=1)
    p = subprocess.run([cli_path(), "sweep", str(cli_file), "--jobs", "1", "--format", "json"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    df = r.results
    assert list(df.columns) == ["point", "role", "domestic_floor", "metric", "value", "status", "seconds"] or \
        list(df.columns)[:2] == ["point", "role"]
    assert r.data["points"] == len(df) // 2
    import pandas as pd
    cli_df = pd.read_csv(tmp_path / "cli-out" / "results.csv")
    assert (df["value"] - cli_df["value"]).abs().max() < 1e-9
    assert list(r.metrics["metric"]) == ["W", "welfare[KOR]"]
    # Resuming: nothing left to compute.
    again = aistack.sweep(py_file, jobs=1)
    assert again.data["computed"] == 0
