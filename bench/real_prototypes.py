"""Paraphrase (prototype-similarity) thresholds fitted on real ads (issue #15).

    .venv/bin/python bench/real_prototypes.py ../shared/data [--max-fire 0.005]

Embeds every real ad of dig-ads-classifier (training.csv + testing.csv) and phone-number-matcher's
docs.json with the product encoder, as the scoring stage does (the text with stated ethnicities cut
out), and for each paraphrase family prints how its highest cosine to the family's prototype
phrases is spread over real ads, how many would fire at the thresholds in
`analytics.scoring.indicators.PROTOTYPE_THRESHOLDS`, and the fitted threshold: the lowest value on
a 0.01 grid at which

- at most `--max-fire` of all real ads fire (a paraphrase is a reason to read; on real ads it must
  stay rare), and
- no ad of the development set's TUNE split (bench/labels/real_dev_*.jsonl) whose labeller saw no
  sign of the family fires.

The TEST split is then reported (firings, and how many carry the family's sign by the labels),
never used for the fit. Counts only: no ad text is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Which rubric codes (docs/labelling.md) are the family's sign; "ilo" (forced labour) has none.
FAMILY_LABELS = {
    "youthful": {"youth_wording", "minor_explicit"},
    "underage": {"minor_explicit"},
    "third_party": {"third_party", "multiple_workers"},
    "coercion": {"control"},
    "ilo": set(),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the shared data folder")
    parser.add_argument("--max-fire", type=float, default=0.005)
    parser.add_argument("--cache-dir", default="var/models/encoders")
    args = parser.parse_args()
    if not (args.data / "dig-ads-classifier").is_dir():
        print(
            f"{args.data}: no dig-ads-classifier/ here; pass the shared data folder",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    import real_scoring

    from ads.extraction import extract
    from analytics.scoring.encoder import Encoder
    from analytics.scoring.indicators import PROTOTYPE_THRESHOLDS, Prototypes, neutral_text

    ads = real_scoring._ads(args.data)
    texts = []
    for _, _, text in ads:
        ext = extract(text)
        texts.append(neutral_text(text, {"ethnicities": ext.ethnicities})[0])
    encoder = Encoder(cache_dir=args.cache_dir)
    print(f"embedding {len(texts)} real ads with {encoder.model_dir.name} ...", file=sys.stderr)
    embeddings = encoder.encode(texts).embeddings
    prototypes = Prototypes.build(lambda phrases: encoder.encode(phrases).embeddings)
    families = list(dict.fromkeys(prototypes.families))
    sims = np.zeros((len(ads), len(families)), dtype=np.float32)
    for i, emb in enumerate(embeddings):
        best = prototypes.max_similarity(emb)
        sims[i] = [best[f][0] for f in families]
    index = {(f, r): i for i, (f, r, _) in enumerate(ads)}

    labels = real_scoring.judged_labels({(f, r): text for f, r, text in ads})

    print(f"real ads: {len(ads)}; judged development ads: {len(labels)}")
    fitted = {}
    for j, family in enumerate(families):
        col = sims[:, j]
        signs = FAMILY_LABELS.get(family, set())

        def split_rows(
            split: str, col: np.ndarray = col, signs: set[str] = signs
        ) -> list[tuple[float, bool]]:
            return [
                (
                    float(col[index[(r["key"]["file"], r["key"]["row"])]]),
                    bool(signs & set(r.get("indicators") or ())),
                )
                for r in labels
                if r["split"] == split
            ]

        tune, test = split_rows("tune"), split_rows("test")
        grid = np.round(np.arange(0.30, 1.001, 0.01), 2)
        threshold = next(
            float(t)
            for t in grid
            if (col >= t).mean() <= args.max_fire and not any(s >= t and not has for s, has in tune)
        )
        fitted[family] = threshold
        current = PROTOTYPE_THRESHOLDS[family]
        q = np.quantile(col, [0.5, 0.99, 0.995])
        test_fire = [has for s, has in test if s >= threshold]
        test_signs = sum(has for _, has in test)
        print(
            f"{family:12} cosine p50 {q[0]:.2f} p99 {q[1]:.2f} p99.5 {q[2]:.2f} max {col.max():.2f}"
            f" | current {current:.2f}: fires on {(col >= current).mean():6.2%} of real ads"
            f" | fitted {threshold:.2f}: fires on {(col >= threshold).mean():6.2%}"
            f" | test split: fires on {len(test_fire)} of {len(test)} ads, "
            f"{sum(test_fire)} with the family's sign (of {test_signs} that carry it)"
        )
    print("PROTOTYPE_THRESHOLDS = " + json.dumps(fitted))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
