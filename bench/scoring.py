"""Benchmark the scoring stage: encoder backends (speed, fidelity to fp32) and ads/s end to end.

    .venv/bin/python bench/scoring.py [--n 1000] [--cache-dir var/models/encoders]

Texts are synthetic (demo/seed/generate.py with another seed, several seed ads joined so
lengths look like real ads). The heads are trained once on the seed corpus with the fp32 encoder;
each backend then scores a fresh synthetic set labelled by the generator, so a drop in metrics
from quantisation shows up as a change in ROC AUC / precision / recall.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The score reads its flag threshold from the settings (RISK_FLAG_THRESHOLD).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from analytics.scoring.encoder import Backend, Encoder, bf16_supported  # noqa: E402
from analytics.scoring.metrics import binary_report  # noqa: E402
from analytics.scoring.training import load_seed_corpus, train  # noqa: E402
from demo.seed import generate as seedgen  # noqa: E402


def synthetic_ads(n: int, seed: int) -> list[dict]:
    """n labelled ads: one seed-style ad, sometimes followed by filler of other benign ads."""
    rows = seedgen.generate(seed)
    rng = random.Random(seed)
    out = []
    for i in range(n):
        row = dict(rows[i % len(rows)])
        extra = rng.randint(0, 3)
        filler = [seedgen.other_benign(rng)["text"] for _ in range(extra)]
        row["text"] = " ".join([row["text"], *filler])
        out.append(row)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--cache-dir", default="var/models/encoders")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ads = synthetic_ads(args.n, seed=7)
    texts = [a["text"] for a in ads]
    labels = np.asarray([int(a["risk"]) for a in ads])
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"bf16 native: {bf16_supported()}, threads {args.threads}, batch 16, n={len(texts)}"
    )

    backends = [Backend.TORCH_FP32]
    if bf16_supported():
        backends.append(Backend.TORCH_BF16)
    backends += [Backend.ONNX_INT8, Backend.ONNX_INT8_FULL]
    encoders = {
        b: Encoder(backend=b, cache_dir=args.cache_dir, threads=args.threads) for b in backends
    }
    for enc in encoders.values():  # warm up: load weights, build/load ONNX
        enc.encode(texts[:32])
    tokens = encoders[Backend.TORCH_FP32].encode(texts[:1])
    del tokens

    results: dict[str, dict] = {}
    reference = None
    for backend, enc in encoders.items():
        start = time.perf_counter()
        encoded = enc.encode(texts)
        seconds = time.perf_counter() - start
        if reference is None:
            reference = encoded.embeddings
        cos = (reference * encoded.embeddings).sum(axis=1)
        results[str(backend)] = {
            "encode_texts_per_s": round(len(texts) / seconds, 1),
            "cosine_min": round(float(cos.min()), 4),
            "cosine_mean": round(float(cos.mean()), 4),
            "truncated": int(sum(encoded.truncated)),
            "mean_tokens": round(float(np.mean(encoded.token_counts)), 1),
        }

    model = train(load_seed_corpus(), encoder=encoders[Backend.TORCH_FP32], seed=0)
    for backend, enc in encoders.items():
        model._encoder = enc
        model._featurizer = None
        model.score(texts[:16])  # prototypes embedded with this backend
        start = time.perf_counter()
        scored = model.score(texts)
        seconds = time.perf_counter() - start
        risk = np.asarray([r.risk for r in scored])
        report = binary_report(risk, labels, model.heads["risk"].threshold)
        results[str(backend)].update(
            stage_ads_per_s=round(len(texts) / seconds, 1),
            risk_roc_auc=round(report["roc_auc"], 4),
            risk_precision=round(report["precision"], 4),
            risk_recall=round(report["recall"], 4),
            risk_ece=round(report["ece"], 4),
        )
    base = results[str(Backend.TORCH_FP32)]
    for row in results.values():
        row["encode_speedup"] = round(row["encode_texts_per_s"] / base["encode_texts_per_s"], 2)
        row["stage_speedup"] = round(row["stage_ads_per_s"] / base["stage_ads_per_s"], 2)
    print(json.dumps(results, indent=2))
    default = results[str(Backend.ONNX_INT8)]
    print(
        f"default onnx-int8: stage {default['stage_ads_per_s']} ads/s "
        f"(goal >= 150: {'met' if default['stage_ads_per_s'] >= 150 else 'NOT met'}), "
        f"{default['stage_speedup']}x fp32 (goal >= 2.5x: "
        f"{'met' if default['stage_speedup'] >= 2.5 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
