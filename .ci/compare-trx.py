#!/usr/bin/env python3
"""Compares two xunit test runs from their TRX files and prints a Markdown report.

    python3 .ci/compare-trx.py OLD_DIR NEW_DIR [--top N]

Each folder holds one TRX file per test project, named after it (what `dotnet test --logger
"trx;LogFileName=<project>.trx"` writes, as .ci/test does); projects are paired by file name. For each
project: the run's wall time (the TRX's start to finish), the test counts, and the sum of the test durations.
Then the tests both runs have (matched by their full display name: class, method and theory arguments): the
sum of their durations in each run, and the N tests whose duration dropped the most. Durations are what the
runner measured; parallel tests overlap, so a sum of durations is not a wall time.
"""
import argparse
import collections
import datetime
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def seconds(duration):
    """'hh:mm:ss.fffffff' as seconds."""
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def timestamp(text):
    """A TRX time stamp (ISO 8601 with seven fraction digits and an offset) as a datetime."""
    text = re.sub(r"(\.\d{6})\d*", r"\1", text)
    return datetime.datetime.fromisoformat(text)


def read_run(path):
    root = ET.parse(path).getroot()
    times = root.find("t:Times", NS)
    wall = (timestamp(times.get("finish")) - timestamp(times.get("start"))).total_seconds()
    outcomes = collections.Counter()
    durations = collections.defaultdict(float)
    for result in root.iterfind(".//t:UnitTestResult", NS):
        outcomes[result.get("outcome")] += 1
        durations[result.get("testName")] += seconds(result.get("duration", "00:00:00"))
    return {"wall": wall, "outcomes": outcomes, "durations": durations}


def runs(folder):
    return {name[:-4]: read_run(os.path.join(folder, name)) for name in sorted(os.listdir(folder)) if name.endswith(".trx")}


def fmt(value):
    return f"{value:,.1f}"


def change(old, new):
    return f"{(new - old) / old * 100:+.0f}%" if old else "n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    old, new = runs(args.old), runs(args.new)
    projects = [p for p in old if p in new]
    if not projects:
        sys.exit("no project has a TRX file in both folders")

    print("| project | run | wall time (s) | tests | passed | failed | other | sum of test durations (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for p in projects:
        for label, run in (("old", old[p]), ("new", new[p])):
            o = run["outcomes"]
            total = sum(o.values())
            other = total - o["Passed"] - o["Failed"]
            print(f"| {p} | {label} | {fmt(run['wall'])} | {total} | {o['Passed']} | {o['Failed']} | {other} | {fmt(sum(run['durations'].values()))} |")
    print()

    print("Tests in both runs (matched by full name):")
    print()
    print("| project | in both | only old | only new | old sum (s) | new sum (s) | change |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    saved = []
    for p in projects:
        a, b = old[p]["durations"], new[p]["durations"]
        both = [n for n in a if n in b]
        sum_old = sum(a[n] for n in both)
        sum_new = sum(b[n] for n in both)
        print(f"| {p} | {len(both)} | {len(a) - len(both)} | {len(b) - len(both)} | {fmt(sum_old)} | {fmt(sum_new)} | {change(sum_old, sum_new)} |")
        saved.extend((a[n] - b[n], a[n], b[n], n) for n in both)
    print()

    print(f"The {args.top} tests that saved the most time:")
    print()
    print("| test | old (s) | new (s) | saved (s) |")
    print("|---|---:|---:|---:|")
    for diff, a, b, name in sorted(saved, reverse=True)[: args.top]:
        print(f"| `{name}` | {a:.2f} | {b:.2f} | {diff:.2f} |")


if __name__ == "__main__":
    main()
