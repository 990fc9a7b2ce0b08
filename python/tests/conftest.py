"""Shared fixtures: the repository root, the CLI binary and its JSON output."""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = sorted((ROOT / "instances").glob("*.toml"))


@lru_cache(maxsize=None)
def cli_path() -> str:
    """The `aistack` binary: $AISTACK_BIN, else `cargo build --release` of the root package."""
    env = os.environ.get("AISTACK_BIN")
    if env:
        return env
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--bin", "aistack"],
        cwd=ROOT,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return str(target / "release" / "aistack")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [cli_path(), *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )


@lru_cache(maxsize=None)
def cli_json(*args: str) -> dict:
    """`aistack ARGS --format json`, parsed (exit 0 or 1: a result either way)."""
    p = run_cli(*args, "--format", "json")
    assert p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr}"
    return json.loads(p.stdout)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
