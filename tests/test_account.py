"""Nothing lost: every file kb ingests is accounted for, word by word, and a loss is named."""
import os
from pathlib import Path

import pytest

from kb.ingest.account import account
from kb.config import Config
from kb.ingest.sync import IngestReport, parse_sources
from kb.ingest.parse import parse_document
from kb.ingest.chunk import chunk_document
from kb.records import DocMeta

from .conftest import CORPUS, PLAN_TEXT, ROOT

# the dev texts, beside the repository (KB_CORPUS_DEV points elsewhere, e.g. from a worktree)
DEV = Path(os.environ.get("KB_CORPUS_DEV") or ROOT.parent / "shared" / "corpus-dev")
FIXTURES = ROOT / "tests" / "fixtures"


def files(folder: Path) -> list[Path]:
    return sorted(f for f in folder.glob("*") if f.suffix in (".txt", ".md", ".docx")
                  and not f.stem.lower().startswith(("readme", "sources", "catalog")))


def coverage_of(folder: Path):
    report = IngestReport()
    parse_sources([folder], Config(corpus_dir=folder), report)
    assert not report.failed, report.failed
    return report.coverage


@pytest.mark.parametrize("folder", [CORPUS, FIXTURES, DEV], ids=["corpus", "fixtures", "corpus-dev"])
def test_every_file_keeps_at_least_98_percent(folder):
    if not folder.exists():
        pytest.skip(f"{folder} is absent")
    cov = coverage_of(folder)
    assert {Path(p).name for p in cov} == {f.name for f in files(folder)}
    low = {Path(p).name: (c.kept_pct, c.dropped[:3]) for p, c in cov.items() if c.kept_pct < 98}
    assert not low


def test_a_lost_line_is_named_and_lowers_the_share_kept():
    doc = parse_document(PLAN_TEXT, DocMeta(id="t", title=""))
    chunks = chunk_document(doc)
    full = account(PLAN_TEXT, chunks, [doc.meta], [*doc.recipients, doc.meta.signer])
    assert full.kept_pct == 100 and not full.dropped
    lost = [c for c in chunks if "Công an huyện" not in c.section]
    partial = account(PLAN_TEXT, lost, [doc.meta], [*doc.recipients, doc.meta.signer])
    assert partial.kept_pct < 98
    assert any("Chủ trì điều tra" in line for line in partial.dropped)
    # the letterhead and motto are left out on purpose, by name, not lost
    assert dict(full.left_out).get("letterhead (document metadata)", 0) > 0


@pytest.mark.slow
def test_ingest_summary_shows_kept_share_and_asks_for_a_missing_title(tmp_path, capsys, monkeypatch):
    from kb.cli import main

    monkeypatch.chdir(tmp_path)  # the summary shows paths relative to the working directory
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "qd-tthc.txt").write_text((FIXTURES / "thu-nghiem-qd-tthc-tre-em.txt").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    (corpus / "phap-dien.txt").write_text("Điều 1. Phạm vi điều chỉnh\nThông tư này hướng dẫn chăm sóc thay thế.\n"
                                          "Điều 2. Đối tượng áp dụng\nCơ quan, tổ chức, cá nhân.\n", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path / "data"), "--corpus", str(corpus), "ingest"]) == 0
    out = capsys.readouterr()
    header = next(l for l in out.out.splitlines() if l.startswith("file"))
    assert "kept %" in header
    row = next(l for l in out.out.splitlines() if "qd-tthc.txt" in l)
    assert "100.0" in row
    assert any("phap-dien.txt" in l and "no title" in l and "catalog" in l for l in out.err.replace("\r", "\n").splitlines())
