"""Lead score and possible minor on real ads (issue #15).

    .venv/bin/python bench/real_scoring.py ../shared/data

Scores every ad of dig-ads-classifier (training.csv + testing.csv) and phone-number-matcher's
docs.json with the product's extractor and indicators (no embeddings: the paraphrase detector,
weak in the lead score, is left out here), and prints: the share flagged at RISK_FLAG_THRESHOLD,
the share at a lead score >= 0.95, the possible-minor share, and, on the hand-labelled
development set (bench/labels/real_dev_*.jsonl, ids and labels only), ROC AUC of the lead score
for "look_first" against "ordinary", the precision of the 10% highest-scored ads, each
indicator's precision and recall against the labels, the hand-checked precision of each indicator
(bench/labels/indicator_checks.jsonl: up to 30 firings per indicator read in context, ids and
verdicts only), and flag rates by stated ethnicity.
Counts only: no ad text is printed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
csv.field_size_limit(10**8)

LABEL_TO_CODES = {  # the rubric's codes -> the product's indicator codes
    "youth_wording": {"youthful_language"},
    "minor_explicit": {"underage_cue", "stated_age_minor"},
    "third_party": {"third_party_control", "agency", "third_person", "offers_others"},
    "multiple_workers": {"several_people"},
    "control": {"coercion"},
    "recruitment": {"recruitment", "recruitment_pay"},
    "risky_services": {"risky_services"},
    "obscured_contact": {"obscured_phone", "obscured_phone_text"},
    "movement": {"movement_language"},
}


def _ads(data: Path) -> list[tuple[str, int, str]]:
    rows = []
    for name in ("training.csv", "testing.csv"):
        with (data / "dig-ads-classifier" / name).open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                rows.append((f"dig-ads-classifier/{name}", i, row["extracted_text"]))
    docs = json.loads((data / "phone-number-matcher" / "docs.json").read_text(encoding="utf-8"))
    for i, doc in enumerate(docs["jsonlines"]):
        text = f"{doc.get('url', '')}\n{doc.get('title', '')}\n{doc.get('body', '')}"
        rows.append(("phone-number-matcher/docs.json", i, text))
    return rows


def _escort_rows(data: Path) -> dict[tuple[str, int], bool]:
    rows = {}
    for name in ("training.csv", "testing.csv"):
        with (data / "dig-ads-classifier" / name).open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                rows[(f"dig-ads-classifier/{name}", i)] = row["label"] == "3"
    return rows


def _hand_checks(scored: dict) -> None:
    """Precision of each indicator on the firings a person read (bench/labels/indicator_checks)."""
    path = ROOT / "bench" / "labels" / "indicator_checks.jsonl"
    if not path.exists():
        return
    checks = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    print("\nhand-checked firings (a sample of up to 30 per indicator, read in context):")
    fires: dict[str, int] = {}
    for value in scored.values():
        for code in value[3]:
            fires[code] = fires.get(code, 0) + 1
    for code in sorted({c["code"] for c in checks}):
        mine = [c for c in checks if c["code"] == code]
        live = []
        for c in mine:
            value = scored[(c["key"]["file"], c["key"]["row"])]
            if hashlib.sha256(value[4].encode("utf-8")).hexdigest() != c["key"]["sha256"]:
                raise SystemExit(f"indicator check {c['key']} does not match the ad text")
            if code in value[3]:  # a firing the rules no longer make is not counted
                live.append(c)
        holds = sum(c["holds"] for c in live)
        precision = f"{holds / len(live):.2f}" if live else "n/a"
        print(
            f"  {code:24} fires in {fires.get(code, 0):4} ads; checked {len(live):3} "
            f"(of {len(mine)} read), holds in {holds:3}: precision {precision}"
        )


def judged_labels(texts: dict[tuple[str, int], str]) -> list[dict]:
    """The judged development labels (rows of bench/labels/real_dev_*.jsonl with a judgement:
    extraction-only files carry none), each checked against its ad's text by SHA-256; a key
    that does not match stops the bench with exit status 1."""
    labels = []
    for path in sorted((ROOT / "bench" / "labels").glob("real_dev_*.jsonl")):
        labels += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    labels = [r for r in labels if "judgement" in r]
    for r in labels:
        text = texts[(r["key"]["file"], r["key"]["row"])]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != r["key"]["sha256"]:
            print(f"label key {r['key']} does not match its ad", file=sys.stderr)
            raise SystemExit(1)
    return labels


def _auc(pos: list[float], neg: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg)) if pos and neg else float("nan")


def main() -> int:
    if len(sys.argv) != 2 or not (Path(sys.argv[1]) / "dig-ads-classifier").is_dir():
        print(
            "usage: bench/real_scoring.py DATA_DIR (the shared data folder, with "
            "dig-ads-classifier/ and phone-number-matcher/); it was not found",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    from ads.extraction import extract
    from analytics.scoring.indicators import detect
    from analytics.scoring.lead import lead_score, minor_score, possible_minor

    def obfuscated(ext: object) -> bool:
        return bool(getattr(ext, "obfuscated", False))

    data = Path(sys.argv[1])
    escort_rows = _escort_rows(data)
    scored = {}
    by_ethnicity: dict[str, list[tuple[bool, bool]]] = {}
    moved: list[float] = []
    for file, row, text in _ads(data):
        ext = extract(text)
        ages = list(ext.ages)
        hits = detect(
            text,
            {"ages": ages, "obfuscated_phone": obfuscated(ext), "ethnicities": ext.ethnicities},
        )
        score, flagged = lead_score(hits)
        minor = possible_minor(minor_score(hits, ages))
        scored[(file, row)] = (score, flagged, minor, {h.code for h in hits}, text)
        if escort_rows.get((file, row), file.endswith("docs.json")):
            for term in {e.lower() for e in ext.ethnicities} or {"(none stated)"}:
                by_ethnicity.setdefault(term, []).append((flagged, minor))
        if ext.ethnicities:
            # The same ad with every stated ethnicity cut out: its score must not move.
            cut = text
            for span in sorted(
                (sp for sp in ext.spans if sp.kind == "ethnicity"), key=lambda sp: -sp.start
            ):
                end = span.end + (cut[span.end : span.end + 1] == " ")  # and its space
                cut = cut[: span.start] + cut[end:]
            cut_ext = extract(cut)
            cut_hits = detect(
                cut,
                {
                    "ages": list(cut_ext.ages),
                    "obfuscated_phone": obfuscated(cut_ext),
                    "ethnicities": cut_ext.ethnicities,
                },
            )
            moved.append(abs(lead_score(cut_hits)[0] - score))
    values = list(scored.values())
    n = len(values)
    print(f"real ads scored: {n}")
    print(f"flagged at RISK_FLAG_THRESHOLD: {sum(v[1] for v in values) / n:.1%}")
    print(f"lead score >= 0.95: {sum(v[0] >= 0.95 for v in values) / n:.1%}")
    print(f"possible minor: {sum(v[2] for v in values) / n:.1%}")
    escort = [v for (file, row), v in scored.items() if escort_rows.get((file, row))]
    print(
        f"flagged among the {len(escort)} escort ads of dig-ads-classifier (label 3): "
        f"{sum(v[1] for v in escort) / len(escort):.1%}"
    )
    print(
        f"stated ethnicity cut out of the {len(moved)} real ads that state one: largest score "
        f"change {max(moved, default=0.0):.4f}, ads whose score moved > 0.01: "
        f"{sum(m > 0.01 for m in moved)}"
    )
    print("flag and possible-minor rates by stated ethnicity (escort ads; groups of 15+):")
    for term, rows in sorted(by_ethnicity.items(), key=lambda kv: -len(kv[1])):
        if len(rows) >= 15:
            flag_rate = sum(f for f, _ in rows) / len(rows)
            minor_rate = sum(m for _, m in rows) / len(rows)
            print(
                f"  {term:16} ads {len(rows):4}  flagged {flag_rate:5.1%}  minor {minor_rate:5.1%}"
            )
    _hand_checks(scored)
    labels = judged_labels({key: value[4] for key, value in scored.items()})
    if not labels:
        print("no development labels found under bench/labels/")
        return 0
    for split in ("tune", "test", "all"):
        rows = [r for r in labels if split == "all" or r["split"] == split]
        got = []
        for r in rows:
            got.append((r, scored[(r["key"]["file"], r["key"]["row"])]))
        pos = [s[0] for r, s in got if r["judgement"] == "look_first"]
        neg = [s[0] for r, s in got if r["judgement"] == "ordinary"]
        ranked = sorted(got, key=lambda x: -x[1][0])[: max(1, len(got) // 10)]
        top = sum(r["judgement"] == "look_first" for r, _ in ranked) / len(ranked)
        flagged = [r for r, s in got if s[1]]
        fp = sum(r["judgement"] == "look_first" for r in flagged) / len(flagged) if flagged else 0
        print(f"\n[{split}] labelled ads {len(got)}: look_first {len(pos)}, ordinary {len(neg)}")
        print(f"  ROC AUC look_first vs ordinary: {_auc(pos, neg):.3f}")
        print(f"  precision of the top 10% (look_first): {top:.2f}")
        print(f"  flagged {len(flagged)}; of them look_first {fp:.2f}")
        if split != "all":
            continue
        print("  indicator precision / recall against the labels (ads):")
        for label, codes in LABEL_TO_CODES.items():
            fired = [r for r, s in got if s[3] & codes]
            truth = [r for r, _ in got if label in r["indicators"]]
            tp = sum(label in r["indicators"] for r in fired)
            p = tp / len(fired) if fired else float("nan")
            rc = tp / len(truth) if truth else float("nan")
            print(
                f"    {label:17} fired {len(fired):3}  P {p:.2f}  R {rc:.2f}"
                f"  (labelled {len(truth)})"
            )
        for stated in (True, False):
            group = [s for r, s in got if r["stated_ethnicity"] is stated]
            rate = sum(s[1] for s in group) / len(group) if group else float("nan")
            print(f"  flag rate, stated ethnicity {stated}: {rate:.1%} of {len(group)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
