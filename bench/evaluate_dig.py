"""Category head on the dig-ads-classifier data: train on training.csv, report on testing.csv.

    .venv/bin/python bench/evaluate_dig.py /work/shared/data [--cache-dir var/models/encoders]

Prints figures only (macro-F1, per-class precision/recall/F1); never any ad text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.scoring import training as training_module  # noqa: E402
from analytics.scoring.cli import evaluate, load_dig_csv  # noqa: E402
from analytics.scoring.encoder import DEFAULT_BACKEND, MAX_WINDOWS, Encoder  # noqa: E402
from analytics.scoring.training import train  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shared_data", help="path to the shared data folder")
    parser.add_argument("--cache-dir", default="var/models/encoders")
    parser.add_argument("--backend", default=str(DEFAULT_BACKEND))
    parser.add_argument(
        "--windows",
        type=int,
        default=MAX_WINDOWS,
        help="256-token windows embedded per ad (1 = the first window only, the old behaviour)",
    )
    parser.add_argument(
        "--category-c",
        type=float,
        default=None,
        help="override the category head's C (the old default was 1.0)",
    )
    args = parser.parse_args()
    folder = Path(args.shared_data) / "dig-ads-classifier"
    train_csv, test_csv = folder / "training.csv", folder / "testing.csv"
    if not train_csv.exists() or not test_csv.exists():
        print(
            f"dig-ads-classifier data not found under {folder} (need training.csv and "
            "testing.csv); pass the shared data folder as the first argument",
            file=sys.stderr,
        )
        return 2
    encoder = Encoder(backend=args.backend, cache_dir=args.cache_dir, max_windows=args.windows)
    if args.category_c is not None:
        training_module.C_CATEGORY = args.category_c
    training = load_dig_csv(train_csv)
    testing = load_dig_csv(test_csv)
    start = time.perf_counter()
    model = train(training, encoder=encoder, seed=0, heads=("category",))
    trained_in = time.perf_counter() - start
    report = evaluate(model, testing)
    category = report["category"]
    summary = {
        "backend": args.backend,
        "train_examples": len(training),
        "test_examples": len(testing),
        "test_not_scorable": report["not_scorable"],
        "encoder_windows": f"{encoder.max_windows} x {encoder.max_tokens} tokens",
        "test_truncated": report["truncated"],
        "test_novel": report["novel"],
        "test_accuracy_novel": category["accuracy_novel"],
        "test_accuracy_familiar": category["accuracy_familiar"],
        "train_seconds": round(trained_in, 1),
        "train_oof_macro_f1": round(model.metrics["category"]["macro_f1"], 4),
        "test_macro_f1": round(category["macro_f1"], 4),
        "test_accuracy": round(category["accuracy"], 4),
        "test_ece": round(category["ece"], 4),
        "category_c": training_module.C_CATEGORY,
        "per_class": {
            c: {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
            for c, m in category["per_class"].items()
        },
        "confusion_matrix": {
            "classes": category["classes"],
            "rows_truth": category["confusion_matrix"],
        },
    }
    print(json.dumps(summary, indent=2))
    print(
        f"macro-F1 {summary['test_macro_f1']} (goal >= 0.85: "
        f"{'met' if summary['test_macro_f1'] >= 0.85 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
