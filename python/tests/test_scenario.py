"""Reading scenarios: ScenarioError with the CLI's messages, overrides, what a scenario holds."""

from __future__ import annotations

import json

import pytest

import aistack
from conftest import ROOT, cli_json, run_cli
from helpers import assert_json_close, close


def cli_error(*args: str) -> str:
    """What the CLI prints after `error: ` (exit 2)."""
    p = run_cli(*args)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("error: ")
    return p.stderr[len("error: "):].rstrip("\n")


def test_scenario_error_lists_every_problem_as_the_cli():
    with pytest.raises(aistack.ScenarioError) as e:
        aistack.Scenario.from_file(ROOT / "tests" / "data" / "bad.toml")
    err = e.value
    assert isinstance(err, ValueError)
    want = cli_error("validate", str(ROOT / "tests" / "data" / "bad.toml"))
    assert str(err) == want
    assert err.problems == [
        'capability KOR/fab: unknown field "capacty" (did you mean "capacity"?)',
        "capability KOR/fab: unit_cost must be >= 0, got -1",
        'demand KOR/fabb: layer "fabb" is unknown (did you mean "fab"?)',
    ]
    for line in err.problems:
        assert f"  - {line}" in want
    assert [d["entity"] for d in err.details] == ["capability KOR/fab", "capability KOR/fab", "demand KOR/fabb"]
    assert err.details[1]["field"] == "unit_cost"


def test_scenario_error_from_text_and_dict():
    text = (ROOT / "tests" / "data" / "bad.toml").read_text()
    with pytest.raises(aistack.ScenarioError) as e:
        aistack.Scenario.from_toml_str(text, name="bad")
    assert str(e.value).startswith("bad: 3 problems:")
    assert len(e.value.problems) == 3
    with pytest.raises(aistack.ScenarioError) as e:
        aistack.Scenario.from_dict({"meta": {"name": "x"}, "layer": [{"id": "a", "tradeable": True}]})
    assert any('unknown field "tradeable"' in p for p in e.value.problems)
    with pytest.raises(aistack.ScenarioError, match="cannot parse"):
        aistack.Scenario.from_toml_str("[meta\nname=1")
    with pytest.raises(aistack.ScenarioError, match="cannot parse"):
        aistack.Scenario.from_dict({"meta": {"x": float("nan")}})


def test_unreadable_or_unknown_format():
    with pytest.raises(aistack.ScenarioError, match="cannot read"):
        aistack.Scenario.from_file(ROOT / "instances" / "nope.toml")
    with pytest.raises(aistack.ScenarioError, match="unknown scenario format"):
        aistack.Scenario.from_file(ROOT / "README.md")


def test_overrides_match_the_cli_set():
    path = "instances/example.toml"
    s = aistack.Scenario.from_file(ROOT / path)
    v = s.with_overrides({"security[*].domestic_floor": 0.5})
    assert v.overrides == [{"kind": "set", "text": "security[*].domestic_floor=0.5", "entries": v.overrides[0]["entries"]}]
    assert s.overrides == []  # the original is unchanged
    sol = v.solve()
    want = cli_json("solve", path, "--set", "security[*].domestic_floor=0.5")
    assert_json_close(json.loads(sol.to_json()), want)
    # The floor binds somewhere: W moves.
    assert sol.objective <= s.solve().objective + 1e-9


def test_overrides_of_every_type():
    s = aistack.Scenario.from_file(ROOT / "instances" / "example.toml")
    v = s.with_overrides(
        {
            "agreement[chip-alliance].active": True,
            "capability[KOR/memory].capacity": 180,
            "meta.name": "renamed",
        }
    )
    assert v.name == "renamed"
    assert v.agreements.set_index("id").loc["chip-alliance", "active"]
    # A list of PATH=VALUE texts is the CLI's --set.
    w = s.with_overrides(["agreement[chip-alliance].active=true", "capability[KOR/memory].capacity=180"])
    assert close(v.solve().objective, w.solve().objective)


def test_bad_override_raises_scenario_error_with_the_cli_message():
    path = str(ROOT / "instances" / "example.toml")
    s = aistack.Scenario.from_file(path)
    with pytest.raises(aistack.ScenarioError) as e:
        s.with_overrides({"security[*].domestic_flor": 0.5})
    assert str(e.value) == cli_error("validate", path, "--set", "security[*].domestic_flor=0.5")
    # A value that makes the scenario invalid: every problem, after the overrides.
    with pytest.raises(aistack.ScenarioError) as e:
        s.with_overrides({"capability[KOR/memory].capacity": -5})
    assert str(e.value) == cli_error("validate", path, "--set", "capability[KOR/memory].capacity=-5")
    assert e.value.problems


def test_variants_apply_like_the_cli(tmp_path):
    text = (ROOT / "instances" / "example.toml").read_text() + (
        '\n[variant.tight]\ndescription = "tight floors"\nset = ["security[*].domestic_floor=0.5"]\n'
    )
    path = tmp_path / "with-variant.toml"
    path.write_text(text)
    s = aistack.Scenario.from_file(path)
    assert s.variants == ["tight"]
    v = s.with_overrides(variant="tight")
    assert [o["kind"] for o in v.overrides] == ["variant", "set"]
    want = cli_json("solve", str(path), "--variant", "tight")
    assert_json_close(json.loads(v.solve().to_json()), want)
    # The same variant from text (overlays would be read relative to base_dir).
    t = aistack.Scenario.from_toml_str(text, base_dir=tmp_path).with_overrides(variant="tight")
    assert close(t.solve().objective, want["objective"])
    with pytest.raises(aistack.ScenarioError, match='variant "tigth" is unknown'):
        s.with_overrides(variant="tigth")


def test_what_a_scenario_holds():
    s = aistack.Scenario.from_file(ROOT / "instances" / "example.toml")
    assert s.countries and s.layers and s.periods >= 1
    assert set(s.agreements["id"]) >= {"chip-alliance", "services-pact"}
    assert list(s.agreements.columns) == ["id", "name", "members", "active", "clauses"]
    assert "aistack.Scenario" in repr(s)
    assert aistack.backends()[0] == "microlp"
    assert aistack.__version__
