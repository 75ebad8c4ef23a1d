#!/usr/bin/env python3
"""Scores `digitinfer-cli read --json` answers against make-numbers' manifest.

Prints markdown tables of sequence accuracy (the whole number read exactly)
by length, by touching pairs, for 4-digit numbers by touching pairs, by digit
height and by background, with how the misses went wrong (digits missed,
extra digits, a digit misread, the file not read at all).

    score.py MANIFEST ANSWERS [--min-separated-4 0.98] [--min-touching-4 0.90] [--failures N]

With the --min options it exits 1 when 4-digit numbers with no touching pair
(or with exactly one) are read exactly less often than that.
"""
import argparse
import json
import os
import sys
from collections import defaultdict


def load(manifest_path, answers_path):
    with open(manifest_path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    answers = {}
    with open(answers_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                answer = json.loads(line)
                answers[os.path.basename(answer["file"])] = answer
    return rows, answers


def outcome(row, answer):
    """'exact', 'missed digit', 'extra digit', 'misread' or 'error'."""
    if answer is None or "error" in answer:
        return "error"
    read, truth = answer["number"], row["number"]
    if read == truth:
        return "exact"
    if len(read) < len(truth):
        return "missed digit"
    if len(read) > len(truth):
        return "extra digit"
    return "misread"


KINDS = ["missed digit", "extra digit", "misread", "error"]


def table(title, key_name, groups, order):
    lines = [f"| {key_name} | images | exact | " + " | ".join(KINDS) + " |",
             "|---|---:|---:|" + "---:|" * len(KINDS)]
    for key in order:
        outcomes = groups.get(key)
        if not outcomes:
            continue
        n = len(outcomes)
        exact = outcomes.count("exact")
        lines.append(f"| {key} | {n} | {100 * exact / n:.1f}% | "
                     + " | ".join(str(outcomes.count(k)) for k in KINDS) + " |")
    return f"**{title}**\n\n" + "\n".join(lines) + "\n"


def accuracy(groups, key):
    outcomes = groups.get(key, [])
    return (outcomes.count("exact") / len(outcomes), len(outcomes)) if outcomes else (None, 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest")
    parser.add_argument("answers")
    parser.add_argument("--min-separated-4", type=float, help="fail below this exact rate (0-1), 4 digits, none touching")
    parser.add_argument("--min-touching-4", type=float, help="fail below this exact rate (0-1), 4 digits, one pair touching")
    parser.add_argument("--failures", type=int, default=0, help="list this many misses (file, truth, read)")
    args = parser.parse_args()

    rows, answers = load(args.manifest, args.answers)
    by = defaultdict(lambda: defaultdict(list))
    misses = []
    for row in rows:
        answer = answers.get(row["file"])
        result = outcome(row, answer)
        for name, key in [("length", int(row["length"])), ("touching", int(row["touching"])),
                          ("four", int(row["touching"]) if row["length"] == "4" else None),
                          ("height", int(row["digit_height"])), ("background", row["background"]),
                          ("all", "all")]:
            if key is not None:
                by[name][key].append(result)
        if result != "exact":
            misses.append((row, answer, result))

    total, n = accuracy(by["all"], "all")
    print(f"{n} images, {100 * total:.1f}% read exactly.\n")
    print(table("By length", "digits", by["length"], sorted(by["length"])))
    print(table("By touching pairs (all lengths)", "touching pairs", by["touching"], sorted(by["touching"])))
    print(table("4-digit numbers by touching pairs", "touching pairs", by["four"], sorted(by["four"])))
    print(table("By digit height (pixels)", "height", by["height"], sorted(by["height"])))
    print(table("By background", "background", by["background"], ["white", "grey-gradient", "dark"]))

    for row, answer, result in misses[:args.failures]:
        read = answer.get("error") if answer and "error" in answer else (answer or {}).get("number")
        print(f"miss {row['file']}: {row['number']} read {read!r} ({result}; {row['touching']} touching,"
              f" height {row['digit_height']}, {row['background']})")

    failed = False
    for option, touching, label in [(args.min_separated_4, 0, "separated"), (args.min_touching_4, 1, "one pair touching")]:
        if option is None:
            continue
        rate, count = accuracy(by["four"], touching)
        if rate is None or rate < option:
            shown = "no images" if rate is None else f"{100 * rate:.1f}% of {count}"
            print(f"FAIL: 4-digit numbers, {label}: {shown} read exactly, below {100 * option:.1f}%", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
