"""Largest relative difference between the numbers of two JSON outputs of aistack.

Usage: python3 jdiff.py A.json B.json. Numbers are compared as |a - b| / max(1, |a|, |b|);
anything else (strings, booleans, nulls, shapes) must be equal, or the first difference is
printed instead of a number.
"""
import json
import sys


def walk(a, b, path, worst):
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            raise ValueError(f"{path}: keys differ")
        for k in a:
            walk(a[k], b[k], f"{path}/{k}", worst)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise ValueError(f"{path}: lengths differ")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}/{i}", worst)
    elif type(a) in (int, float) and type(b) in (int, float):
        worst[0] = max(worst[0], abs(a - b) / max(1.0, abs(a), abs(b)))
    elif a != b:
        raise ValueError(f"{path}: {a!r} != {b!r}")


def main():
    with open(sys.argv[1]) as f:
        a = json.load(f)
    with open(sys.argv[2]) as f:
        b = json.load(f)
    worst = [0.0]
    try:
        walk(a, b, "", worst)
    except ValueError as e:
        print(f"differs: {e}")
        return
    print(f"{worst[0]:.1e}")


main()
