"""The evidence packet's PDF on real ads: which characters print, and what a packet PDF costs.

    .venv/bin/python bench/real_packet_pdf.py DATA_DIR

DATA_DIR is the shared data folder (dig-ads-classifier/ and phone-number-matcher/). For every
real ad (title and text as the packet prints them), the characters outside printable ASCII are
counted by the font that prints them in case.pdf (`cases.packet_pdf.markup`): the text font
(DejaVu Sans Mono for ad text), the symbols font (Symbola) or none (printed as [U+XXXX]); emoji
(Unicode "So" symbols at U+1F000 and above, and U+2600-U+27BF) are counted apart. Then one PDF
with every ad of docs.json is built as case.pdf builds ad pages, timed (CPU and wall seconds)
and sized.
Figures only: no ad text is printed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
csv.field_size_limit(10**8)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import SimpleDocTemplate, Spacer, XPreformatted  # noqa: E402

from cases.packet_pdf import _styles, _wrap, markup, packet_fonts  # noqa: E402
from core.csv_safety import neutralise_bidi  # noqa: E402


def load_texts(data: Path) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {"dig-ads-classifier": [], "phone-number-matcher": []}
    for name in ("training.csv", "testing.csv"):
        with (data / "dig-ads-classifier" / name).open(newline="", encoding="utf-8") as handle:
            texts["dig-ads-classifier"] += [r["extracted_text"] for r in csv.DictReader(handle)]
    docs = json.loads((data / "phone-number-matcher" / "docs.json").read_text(encoding="utf-8"))
    texts["phone-number-matcher"] = [
        f"{d.get('title') or ''}\n{d.get('body') or ''}" for d in docs["jsonlines"]
    ]
    return texts


def is_emoji(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "So" and (code >= 0x1F000 or 0x2600 <= code <= 0x27BF)


def coverage(texts: list[str]) -> Counter[str]:
    fonts = packet_fonts()
    counts: Counter[str] = Counter()
    for text in texts:
        for char in neutralise_bidi(text):
            code = ord(char)
            if 0x20 <= code < 0x7F or char in "\n\t\r" or code in {0xFE0E, 0xFE0F, 0x200D}:
                continue
            kind = "emoji" if is_emoji(char) else "other"
            if code in fonts.mono.covers:
                where = "mono"
            elif fonts.symbols is not None and code in fonts.symbols.covers:
                where = "symbols"
            else:
                where = "none"
            counts[f"{kind}:{where}"] += 1
            counts[f"{kind}:all"] += 1
        counts["ads"] += 1
        counts["ads_with_emoji"] += any(is_emoji(c) for c in text)
    return counts


def build_pdf(texts: list[str]) -> tuple[float, float, int]:
    styles = _styles()
    story = []
    for text in texts:
        story.append(XPreformatted(markup(_wrap(text[:6000]), packet_fonts().mono), styles["ad"]))
        story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    start, wall = time.process_time(), time.perf_counter()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return time.process_time() - start, time.perf_counter() - wall, len(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    args = parser.parse_args()
    if not (args.data / "dig-ads-classifier").is_dir():
        sys.exit(f"{args.data}: no dig-ads-classifier/ here (the shared real-ads folder)")
    fonts = packet_fonts()
    print(
        f"fonts: text {fonts.text.name}, mono {fonts.mono.name}, symbols "
        f"{fonts.symbols.name if fonts.symbols else 'MISSING (apt-get install fonts-symbola)'}"
    )
    texts = load_texts(args.data)
    for name, group in [*texts.items(), ("all", [t for g in texts.values() for t in g])]:
        c = coverage(group)
        emoji, other = c["emoji:all"], c["other:all"]
        print(
            f"{name}: {c['ads']} ads, {c['ads_with_emoji']} with emoji; emoji chars {emoji}: "
            f"mono {c['emoji:mono']}, symbols {c['emoji:symbols']}, unprinted {c['emoji:none']}"
            f" ({(emoji - c['emoji:none']) / emoji:.1%} print)"
            if emoji
            else f"{name}: no emoji"
        )
        print(
            f"  other non-ASCII chars {other}: mono {c['other:mono']}, symbols "
            f"{c['other:symbols']}, unprinted {c['other:none']}"
        )
    seconds, wall, size = build_pdf(texts["phone-number-matcher"])
    print(
        f"PDF of the {len(texts['phone-number-matcher'])} docs.json ads: {seconds:.2f} CPU-s, "
        f"{wall:.2f} s wall, {size / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
