"""Transformer-based, calibrated and explainable risk scoring of ads.

Public entry points:
- `Encoder` (analytics.scoring.encoder): offline sentence encoder, fp32/bf16/int8 backends;
- `detect` (analytics.scoring.indicators): indicators with span, weight and provenance;
- `train`, `LabelledExample`, `load_seed_corpus` (analytics.scoring.training);
- `TrainedModel`, `ModelNotFoundError` (analytics.scoring.model) and `ScoreResult`;
- `expected_calibration_error` (analytics.scoring.calibration).
Heavy imports (torch, onnxruntime) happen only when an encoder runs.
"""
