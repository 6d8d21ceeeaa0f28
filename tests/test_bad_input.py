"""Bad input never crashes a run and never loses data: one clear line per bad file, the good
files of the same run are ingested, what was indexed before stays, and the exit code says so."""
import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.cli import main
from kb.config import Config
from kb.ingest.sync import ingest
from kb.ingest.store import ChromaStore

from .conftest import PLAN_TEXT, ROOT
from .docgen import make_pdf, make_scanned_pdf

SECOND_PLAN = PLAN_TEXT.replace("12/KH-UBND", "13/KH-UBND").replace("HUYỆN THỬ NGHIỆM", "HUYỆN THỬ HAI") \
    .replace("Công an huyện", "Công an huyện Thử Hai")


def empty(d: Path) -> Path:
    (f := d / "empty.txt").write_text("", encoding="utf-8")
    return f


def zero_page_pdf(d: Path) -> Path:
    from pypdf import PdfWriter

    with open(f := d / "zero-pages.pdf", "wb") as out:
        PdfWriter().write(out)
    return f


def corrupt_pdf(d: Path) -> Path:
    good = make_pdf(d / "tmp.pdf", [PLAN_TEXT.splitlines()])
    (f := d / "corrupt.pdf").write_bytes(good.read_bytes()[:600])  # cut off mid-stream
    good.unlink()
    return f


def encrypted_pdf(d: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(make_pdf(d / "plain.pdf", [PLAN_TEXT.splitlines()])))
    writer.encrypt("mat-khau")
    (d / "plain.pdf").unlink()
    with open(f := d / "encrypted.pdf", "wb") as out:
        writer.write(out)
    return f


def scanned_pdf(d: Path) -> Path:
    return make_scanned_pdf(d / "scan.pdf")


def unreadable_scan(d: Path) -> Path:
    """A fax of a photocopy: the page's print is a few pixels high (45 dpi), too small to read."""
    from .scangen import draw_page, save_pdf

    page = draw_page([l for l in PLAN_TEXT.splitlines() if l.strip()], dpi=45, seed=5)
    return save_pdf(d / "fax.pdf", [page.image], dpi=45)


def binary_txt(d: Path) -> Path:
    (f := d / "garbage.txt").write_bytes(os.urandom(64 * 1024))
    return f


def huge_file(d: Path) -> Path:
    with open(f := d / "huge.txt", "w", encoding="utf-8") as out:
        line = "Trẻ em có quyền được bảo vệ để không bị xâm hại tình dục. " * 20 + "\n"
        for _ in range(50 * 2**20 // len(line.encode()) + 1):
            out.write(line)
    return f


def duplicate(d: Path) -> Path:
    (f := d / "ban-sao.txt").write_text(PLAN_TEXT, encoding="utf-8")  # a copy of the indexed plan
    return f


def missing(d: Path) -> Path:
    return d / "khong-co.pdf"


def unreadable(d: Path) -> Path:
    (f := d / "locked.txt").write_text(SECOND_PLAN.replace("13/KH", "14/KH"), encoding="utf-8")
    f.chmod(0)
    return f


CASES = {
    "empty": (empty, "empty file"),
    "zero-page PDF": (zero_page_pdf, "PDF has no pages"),
    "corrupt PDF": (corrupt_pdf, "corrupt PDF"),
    "encrypted PDF": (encrypted_pdf, "encrypted PDF"),
    "scanned PDF, no Tesseract": (scanned_pdf, "no text layer: needs OCR.*apt-get install tesseract-ocr tesseract-ocr-vie"),
    "unreadable scan": (unreadable_scan, "scanned PDF unreadable: page 1: OCR confidence .* under 70, not indexed"),
    "binary .txt": (binary_txt, "binary data|not UTF-8"),
    "50 MB file": (huge_file, "50 MB is over the 20 MB limit"),
    "duplicate": (duplicate, "duplicate of .*same text"),
    "missing path": (missing, "no such file"),
    "no read permission": (unreadable, "permission denied"),
}


@pytest.fixture(scope="module")
def base_index(tmp_path_factory):
    """An index of one plan, built once; each case works on a copy."""
    root = tmp_path_factory.mktemp("kb-base")
    (corpus := root / "corpus").mkdir()
    (corpus / "thu-nghiem-kh12-2024.txt").write_text(PLAN_TEXT, encoding="utf-8")
    assert ingest(Config(corpus_dir=corpus, data_dir=root / "data")).ok
    return root


def index_state(data: Path) -> tuple[set[str], dict]:
    store = ChromaStore(Config(data_dir=data))
    chunks, docs = store.load()
    return {c.id for c in chunks}, store.info


def _drop_read_override() -> None:
    """In the child, before exec: take CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH out of the
    capability bounding set, so the command runs as root (it can still enter root's mode-700
    home, the venv and the checkout) but is refused a file its owner may not read."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_without_read_override(argv: list[str]) -> tuple[int, str]:
    """Root reads any file, so the permission case runs the command as root without the
    capabilities that bypass file permissions (wherever the checkout lives: no second user)."""
    out = subprocess.run([sys.executable, "-m", "kb", *argv], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, preexec_fn=_drop_read_override)
    return out.returncode, out.stderr


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case, base_index, tmp_path, capsys, monkeypatch):
    make, reason = CASES[case]
    if case == "scanned PDF, no Tesseract":
        monkeypatch.setenv("KB_TESSERACT", str(tmp_path / "no-tesseract"))
    if case == "unreadable scan" and not shutil.which("tesseract"):
        pytest.skip("Tesseract is not installed")
    shutil.copytree(base_index, tmp_path, dirs_exist_ok=True)
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    before, _ = index_state(data)
    (incoming := tmp_path / "incoming").mkdir()
    (incoming / "thu-hai-kh13-2024.txt").write_text(SECOND_PLAN, encoding="utf-8")  # a good file
    bad = make(incoming)
    argv = ["--data-dir", str(data), "--corpus", str(corpus), "ingest", str(incoming)]
    if case == "missing path":
        argv.append(str(bad))
    if case == "no read permission" and os.geteuid() == 0:
        code, stderr = run_without_read_override(argv)
    else:
        code = main(argv)
        stderr = capsys.readouterr().err
    after, info = index_state(data)
    assert code == 1
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and bad.name in errors[0], stderr
    assert re.search(reason, errors[0]), errors[0]
    assert before < after  # every passage indexed before is still there, and the good file was added
    assert info["kb_state"] == "ready"
