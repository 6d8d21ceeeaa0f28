"""Bad input gets one clear line and loses nothing."""
import unicodedata

import pytest

from kb.config import Config
from kb.errors import InputError
from kb.ingest.sync import ingest
from kb.ingest.load import collect_files, load_catalog, load_file, read_text

from .conftest import CORPUS


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        collect_files([tmp_path / "nope.txt"])


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        read_text(f)


def test_unknown_legacy_encoding_is_refused_with_the_fix(tmp_path):
    f = tmp_path / "old.txt"
    f.write_bytes(b"Tr\xbb em l\xb5 ng\xad\xeai d\xad\xede 16 tu\xe9i")  # TCVN3 bytes
    with pytest.raises(InputError, match="not UTF-8.*re-save"):
        read_text(f)


def to_windows_1258(text: str) -> bytes:
    """How Vietnamese Windows wrote it: base letters (â, ơ, ...) precomposed, tone marks combining."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += (base + tones).encode("cp1258")
    return out


def test_windows_1258_is_detected_and_read(tmp_path):
    text = (CORPUS / "luat-tre-em-2016.txt").read_text(encoding="utf-8")[:3000]
    f = tmp_path / "cp1258.txt"
    f.write_bytes(to_windows_1258(text))
    assert read_text(f).text == unicodedata.normalize("NFC", text)


def test_binary_garbage_named_txt(tmp_path):
    f = tmp_path / "garbage.txt"
    f.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="binary"):
        read_text(f)


def test_utf16_with_bom_is_read(tmp_path):
    f = tmp_path / "utf16.txt"
    f.write_bytes("\ufeffTrẻ em là người dưới 16 tuổi".encode("utf-16-le"))
    assert read_text(f).text.strip("\ufeff") == "Trẻ em là người dưới 16 tuổi"


def test_unsupported_type(tmp_path):
    f = tmp_path / "slides.pptx"
    f.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="unsupported file type"):
        collect_files([f])


def test_corrupt_pdf(tmp_path):
    f = tmp_path / "broken.pdf"
    f.write_bytes(b"%PDF-1.4\n this is not a pdf")
    with pytest.raises(InputError, match="PDF"):
        read_text(f)


def test_catalog_splits_the_tay_ninh_file_in_two():
    sources = load_file(CORPUS / "tay-ninh-kh48-2025.txt", load_catalog(CORPUS))
    assert [s.meta.id for s in sources] == ["tay-ninh-kh48-2025", "tay-ninh-ttr68-2025"]
    assert "TỜ TRÌNH" not in sources[0].text and sources[1].text.startswith("Số: 68")


def test_bad_files_are_reported_and_good_ones_ingested(tmp_path, tiny_corpus):
    (tiny_corpus / "empty.txt").write_text("", encoding="utf-8")
    (tiny_corpus / "old.txt").write_bytes(b"Tr\xe1 em \xfe\xff")
    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "data")
    report = ingest(config)
    assert report.documents == 1 and report.added > 0
    reasons = dict(report.failed)
    assert "empty file" in reasons[str(tiny_corpus / "empty.txt")]
    assert "not UTF-8" in reasons[str(tiny_corpus / "old.txt")]
    # re-ingesting unchanged documents adds nothing
    again = ingest(config)
    assert again.added == 0 and again.removed == 0
