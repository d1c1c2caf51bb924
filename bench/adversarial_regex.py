"""Every regular expression of ads.extraction against pathological input, one by one.

Usage:
    .venv/bin/python bench/adversarial_regex.py [--size 200000]

Finds each compiled pattern (module-level `re.Pattern`) in the ads.extraction modules and runs
`finditer` over hostile strings (long runs of digits, letters, separators, number words,
email- and URL-like runs, nested brackets, NUL bytes, RTL overrides, emoji) at size N/4 and N.
Reports the worst CPU time per pattern and the growth ratio (time at N / time at N/4): a linear
pattern stays near 4, a quadratic one near 16. Exits 1 if any ratio exceeds 8 on an input
that took more than 20 ms (below that, timer noise dominates).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MODULES = (
    "ads.extraction",
    "ads.extraction.normalize",
    "ads.extraction.phones",
    "ads.extraction.contacts",
    "ads.extraction.attributes",
)


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


INPUTS: dict[str, Callable[[int], str]] = {
    "letters a": _repeat("a"),
    "digits": _repeat("7"),
    "digit space": _repeat("1 "),
    "digit dash": _repeat("1-"),
    "separators": _repeat("-.*~/| "),
    "spaces": _repeat(" "),
    "number words": _repeat("fourfoureight"),
    "weak words": _repeat("tototooforfor"),
    "tens words": _repeat("twenty twenty-"),
    "dots": _repeat("a."),
    "at signs": _repeat("@"),
    "email spelled": _repeat("a at b dot "),
    "url-ish": _repeat("www.a"),
    "slashes": _repeat("http://a/"),
    "open brackets": _repeat("["),
    "bracket words": _repeat("[dot"),
    "nested digits": _repeat("((2"),
    "dollars": _repeat("$1 "),
    "ages": _repeat("im 2 "),
    "names": _repeat("ask for "),
    "no words": _repeat("no black "),
    "handles": _repeat("ig: "),
    "nul": _repeat("\x00"),
    "rtl": _repeat("\u202e2\u202c"),
    "emoji": _repeat("🌹💦"),
    "mixed": _repeat("2ONE6-SIX2TWO [dot] $200 hh 36-24-36 5'6 kandi at gmail dot com "),
}


def patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern) and id(value) not in found:
                found[id(value)] = (f"{name.rsplit('.', 1)[-1]}.{attr}", value)
    return sorted(found.values())


def _time(pattern: re.Pattern[str], text: str) -> float:
    start = time.process_time()
    for _ in pattern.finditer(text):
        pass
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    args = parser.parse_args(argv)
    n = args.size
    texts = {name: (make(n // 4), make(n)) for name, make in INPUTS.items()}
    failures = 0
    print(f"{'pattern':40} {'worst ms':>9} {'on input':>16} {'max ratio':>9}")
    for label, pattern in patterns():
        worst = (0.0, "")
        worst_ratio = (0.0, "")
        for name, (small, big) in texts.items():
            t_small = _time(pattern, small)
            t_big = _time(pattern, big)
            if t_big > worst[0]:
                worst = (t_big, name)
            if t_big > 0.02:
                ratio = t_big / max(t_small, 1e-6)
                if ratio > worst_ratio[0]:
                    worst_ratio = (ratio, name)
                if ratio > 8:
                    failures += 1
                    print(f"  SUPER-LINEAR? {label} on {name}: ratio {ratio:.1f}")
        ratio_text = f"{worst_ratio[0]:.1f}" if worst_ratio[1] else "-"
        print(f"{label:40} {worst[0] * 1000:9.1f} {worst[1]:>16} {ratio_text:>9}")
    print(f"{len(patterns())} patterns, {len(texts)} inputs of {n} chars; {failures} suspect")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
