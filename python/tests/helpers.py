"""Comparison of DataFrames with the CLI's JSON lists."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

TOL = 1e-9


def close(a: Any, b: Any, tol: float = TOL) -> bool:
    if a is None or b is None:
        return (a is None or _isnan(a)) and (b is None or _isnan(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    return a == b


def _isnan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _py(v: Any) -> Any:
    """A DataFrame cell as a plain Python value (NaN / NA -> None)."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    return v


def assert_frame_matches(df: pd.DataFrame, rows: list[dict], name: str, tol: float = TOL) -> None:
    """Same rows in the same order, every JSON field a column, values equal (floats to tol)."""
    assert len(df) == len(rows), f"{name}: {len(df)} rows, JSON has {len(rows)}"
    for k in rows[0].keys() if rows else []:
        assert k in df.columns, f"{name}: column {k!r} missing ({list(df.columns)})"
    records = df.to_dict("records")
    for i, (got, want) in enumerate(zip(records, rows)):
        for k, w in want.items():
            g = _py(got[k])
            assert close(g, w, tol), f"{name} row {i} {k}: {g!r} != {w!r}"


def assert_json_close(got: Any, want: Any, path: str = "", tol: float = TOL) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: {got!r} is not an object"
        assert got.keys() == want.keys(), f"{path}: keys {sorted(got)} != {sorted(want)}"
        for k in want:
            assert_json_close(got[k], want[k], f"{path}.{k}", tol)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: lengths differ"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_json_close(g, w, f"{path}[{i}]", tol)
    else:
        assert close(got, want, tol), f"{path}: {got!r} != {want!r}"
