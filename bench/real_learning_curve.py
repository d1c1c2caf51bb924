"""Learning curve of a decision-trained model on real ads (issue #15, item 2).

    .venv/bin/python bench/real_learning_curve.py ../shared/data [--folds 5] [--repeats 4]

Investigators' decisions are replayed from the hand-labelled development set
(bench/labels/real_dev_*.jsonl): "look_first" is a confirmed lead (1) and "ordinary" a dismissed
one (0); "maybe" is left out. Each fold holds out a fifth of the ads; the rest arrive in a
seeded random order, and after every step of N decisions the product's decision head
(analytics/scoring/decisions.py `fit`: logistic regression on the lead score's log-odds, one flag
per evidence family, and the ad's 384-d embedding from the product encoder, with a Platt
calibrator on 3-fold out-of-fold values) is trained on those N alone and scored on the held-out
ads. Printed per N: mean ROC AUC and expected calibration error (ECE, 10 bins) on held-out
decisions, against the cold-start lead score's AUC on the same held-out ads. Last, every decision
is replayed in one seeded order through the product's promotion rule (`evaluate`: fitted on the
earlier 80%, measured on the latest 20%), which says whether pages would show the head.
Figures only: no ad text is printed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--cache-dir", default="var/models/encoders")
    parser.add_argument(
        "--features",
        choices=("evidence", "evidence+embedding"),
        default="evidence+embedding",
        help="the head's input: the evidence families and lead log-odds, and the embedding",
    )
    args = parser.parse_args()
    if not (args.data / "dig-ads-classifier").is_dir():
        print(
            f"no dig-ads-classifier/ under {args.data}: give the shared data folder",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    import real_scoring

    from ads.extraction import extract
    from analytics.scoring import decisions as learnt
    from analytics.scoring.calibration import expected_calibration_error
    from analytics.scoring.encoder import Encoder
    from analytics.scoring.indicators import detect, neutral_text
    from analytics.scoring.lead import lead_score

    ads = {(f, r): t for f, r, t in real_scoring._ads(args.data)}
    labels = real_scoring.judged_labels(ads)
    rows = [r for r in labels if r["judgement"] in ("look_first", "ordinary")]
    texts, y, cold, families = [], [], [], []
    for r in rows:
        text = ads[(r["key"]["file"], r["key"]["row"])]
        ext = extract(text)
        info = {"ages": list(ext.ages), "ethnicities": ext.ethnicities}
        hits = detect(text, info)
        texts.append(neutral_text(text, info)[0])
        y.append(1 if r["judgement"] == "look_first" else 0)
        cold.append(lead_score(hits)[0])
        families.append(learnt.evidence_features(hits))
    y_arr, cold_arr = np.array(y), np.array(cold)
    x_all = np.array(families, dtype=np.float32)
    if args.features == "evidence+embedding":
        embeddings = Encoder(cache_dir=args.cache_dir).encode(texts).embeddings
        x_all = np.hstack([x_all, embeddings])
    print(
        f"decisions replayed: {len(y)} ({int(y_arr.sum())} confirmed, {int((1 - y_arr).sum())} "
        f"dismissed), {args.folds} folds x {args.repeats} orders, features: {args.features}"
    )
    steps = [
        n
        for n in (20, 40, 60, 80, 100, 150, 200, 250, 300)
        if n <= len(y) * (args.folds - 1) // args.folds
    ]
    results: dict[int, list[tuple[float, float, float]]] = {n: [] for n in steps}
    cold_aucs: list[float] = []
    for repeat in range(args.repeats):
        rng = np.random.default_rng(1000 + repeat)
        order = rng.permutation(len(y))
        folds = np.array_split(order, args.folds)
        for k, held in enumerate(folds):
            pool = np.concatenate([f for j, f in enumerate(folds) if j != k])
            cold_aucs.append(learnt.roc_auc(cold_arr[held], y_arr[held]))
            for n in steps:
                train = pool[:n]
                if min(y_arr[train].sum(), (1 - y_arr[train]).sum()) < 3:
                    continue
                head = learnt.fit(x_all[train], y_arr[train], seed=repeat)
                probs = head.proba(x_all[held])
                ece = expected_calibration_error(probs, y_arr[held])
                # What a perfectly calibrated head with these probabilities would show on this
                # many held-out decisions: the noise floor of the ECE estimate.
                floor = np.mean(
                    [
                        expected_calibration_error(probs, (rng.random(len(probs)) < probs) * 1)
                        for _ in range(50)
                    ]
                )
                results[n].append((learnt.roc_auc(probs, y_arr[held]), ece, floor))
    cold_mean = float(np.nanmean(cold_aucs))
    print(f"cold-start lead score, held-out ROC AUC: {cold_mean:.3f}")
    print(
        f"held-out folds of ~{len(y) // args.folds} decisions; 'ECE floor' is the ECE a perfectly "
        "calibrated head with the same probabilities shows on folds of that size"
    )
    print("decisions  runs  held-out AUC  held-out ECE  ECE floor")
    for n in steps:
        got = results[n]
        if not got:
            print(f"{n:9}  {0:4}  (too few of one class)")
            continue
        auc = float(np.nanmean([a for a, _, _ in got]))
        ece = float(np.mean([e for _, e, _ in got]))
        floor = float(np.mean([f for _, _, f in got]))
        note = "beats cold start" if auc > cold_mean and not math.isnan(auc) else ""
        print(f"{n:9}  {len(got):4}  {auc:12.3f}  {ece:12.3f}  {floor:9.3f}  {note}")
    order = np.random.default_rng(7).permutation(len(y))
    report = learnt.evaluate(
        x_all[order], y_arr[order], cold_arr[order], rules=learnt.Rules.from_settings()
    )
    print("\nthe product's promotion rule on every decision, replayed in one seeded order:")
    print(learnt.describe(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
