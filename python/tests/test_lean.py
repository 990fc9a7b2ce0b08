"""The lean path (python/README.md, "Memory"): importing aistack and solving do not load pandas
(most of the interpreter's memory); the first DataFrame asked for does."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

SCRIPT = """
import sys
import aistack
assert "pandas" not in sys.modules, "import aistack loaded pandas"
sol = aistack.Scenario.from_file(sys.argv[1]).solve()
assert sol.status == "optimal", sol.status
assert sol.objective > 0
assert "pandas" not in sys.modules, "a solve loaded pandas"
prices = sol.prices
assert "pandas" in sys.modules
assert len(prices) > 0
print("ok")
"""


def test_pandas_is_imported_only_when_a_table_is_asked_for():
    # A fresh interpreter: this test process has pandas loaded already.
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "instances" / "example.toml")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
