"""The province deployment of deploy/nginx-kb.conf: real nginx (TLS with a throwaway CA, a
bearer token) in front of a real `chroma run` bound to 127.0.0.1; kb ingests and answers
through it, and requests without the token or with a wrong one are refused."""
from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kb.config import Config
from kb.errors import KBError
from kb.ingest.sync import ingest
from kb.knowledge import KnowledgeBase

from .conftest import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
QUESTION = "ai chiu trach nhiem giam dinh phap y"
TOKEN = "5d2c0e6f9a41b7c3e8d1f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (apt-get install nginx)")]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway province CA and a server certificate it signed for 127.0.0.1 / localhost."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=Test Province CA", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "san.ext", cwd=folder)
    return folder / "ca.crt", folder / "server.crt", folder / "server.key"


def _wait(url: str, proc: subprocess.Popen, what: str, context=None, ok=(200,)) -> None:
    for _ in range(240):
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1, context=context)
            return
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{what} did not start")


def render_site(chroma_port: int, app_port: int, listen_port: int, folder: Path, cert: Path, key: Path) -> str:
    """The shipped template with this test's ports and files in place of the /etc ones."""
    site = (ROOT / "deploy" / "nginx-kb.conf").read_text(encoding="utf-8")
    replacements = {"server 127.0.0.1:8000;": f"server 127.0.0.1:{chroma_port};",
                    "server 127.0.0.1:7860;": f"server 127.0.0.1:{app_port};",
                    "listen 443 ssl;": f"listen 127.0.0.1:{listen_port} ssl;",
                    "/etc/kb/tokens.map": str(folder / "tokens.map"),
                    "/etc/kb/tls/server.crt": str(cert), "/etc/kb/tls/server.key": str(key)}
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx-kb.conf no longer has {old!r}"
        site = site.replace(old, new)
    return site


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """(https URL of the gatekeeper, CA file, app port): chroma run + nginx, both on loopback."""
    tmp = tmp_path_factory.mktemp("province")
    ca, cert, key = make_certificates(tmp / "tls")
    chroma_port, listen_port, app_port = free_port(), free_port(), free_port()
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    chroma = subprocess.Popen([exe, "run", "--path", str(tmp / "chroma"), "--host", "127.0.0.1",
                               "--port", str(chroma_port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    prefix = tmp / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    (prefix / "tokens.map").write_text(f'"Bearer {TOKEN}" 1;\n')
    (prefix / "kb.conf").write_text(render_site(chroma_port, app_port, listen_port, prefix, cert, key))
    temp_paths = "\n".join(f"    {kind}_temp_path {prefix}/tmp/{kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # as root, nginx's workers would switch to "nobody", who cannot enter pytest's tmp folders
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(f"""daemon off;
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
{temp_paths}
    include {prefix}/kb.conf;
}}
""")
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                              str(prefix / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"https://127.0.0.1:{listen_port}"
    try:
        _wait(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", chroma, "chroma run")
        _wait(f"{url}/api/v2/heartbeat", nginx, "nginx", ssl.create_default_context(cafile=str(ca)), ok=(401,))
        yield url, ca, app_port
    finally:
        for proc in (nginx, chroma):
            proc.terminate()
            proc.wait(timeout=30)


def _status(url: str, ca: Path, token: str | None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context(cafile=str(ca))) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_the_gatekeeper_refuses_requests_without_the_right_token(province):
    url, ca, _ = province
    for path in ("/api/v2/heartbeat", "/api/v2/tenants/default_tenant/databases/default_database/collections"):
        assert _status(url + path, ca, None) == 401
        assert _status(url + path, ca, "not-the-token") == 403
        assert _status(url + path, ca, TOKEN.upper() + "0") == 403
        assert _status(url + path, ca, TOKEN) == 200


def test_kb_ingests_and_answers_through_the_gatekeeper(province, tmp_path, tiny_corpus):
    url, ca, _ = province
    writer = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "a", chroma_url=url,
                    chroma_token=TOKEN, chroma_ca=str(ca))
    report = ingest(writer)
    assert report.ok and report.added > 0
    reader = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "b", chroma_url=url,
                    chroma_token=TOKEN, chroma_ca=str(ca))
    answer = KnowledgeBase.open(reader, build_if_missing=False).ask(QUESTION)
    assert not answer.abstained and "Phòng Y tế" in answer.text
    assert TOKEN not in repr(reader) and "chroma_token" not in reader.to_dict()


@pytest.mark.parametrize("token, ca, message", [
    ("", True, "KB_CHROMA_TOKEN"),  # no token: 401
    ("wrong", True, "refused the token"),  # 403
    (TOKEN, False, "KB_CHROMA_CA"),  # a certificate the system does not trust
])
def test_kb_says_what_is_wrong_in_one_line(province, tmp_path, tiny_corpus, token, ca, message):
    url, ca_file, _ = province
    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "c", chroma_url=url, chroma_token=token,
                    chroma_ca=str(ca_file) if ca else "")
    with pytest.raises(KBError, match=message) as caught:
        KnowledgeBase.open(config, build_if_missing=False)
    assert "\n" not in str(caught.value) and TOKEN not in str(caught.value)


def test_a_document_ingested_through_one_front_end_is_answered_by_the_other(province, tmp_path, tiny_corpus):
    """Two front ends on one server: the other one notices the new content key within
    refresh_s (here 1 s) and reloads its lexical side, without a restart."""
    from .test_lexical import SECOND_PLAN

    url, ca, _ = province
    shared = {"chroma_url": url, "chroma_token": TOKEN, "chroma_ca": str(ca)}
    ingest(Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "writer", **shared))
    reader = KnowledgeBase.open(Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "reader", refresh_s=1, **shared),
                                build_if_missing=False)
    question = "Ai tổ chức lớp dạy bơi miễn phí cho trẻ em?"
    assert reader.ask(question).abstained
    extra = tmp_path / "xa-thu-nghiem-kh7-2024.txt"
    extra.write_text(SECOND_PLAN, encoding="utf-8")
    env = {**os.environ, "KB_CHROMA_URL": url, "KB_CHROMA_TOKEN": TOKEN, "KB_CHROMA_CA": str(ca),
           "KB_DATA_DIR": str(tmp_path / "writer"), "KB_CORPUS_DIR": str(tiny_corpus)}
    subprocess.run([sys.executable, "-m", "kb", "ingest", str(extra)], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    ingested = time.monotonic()
    while True:  # the stated bound: refresh_s plus the reload (about a second for a small index)
        answer = reader.ask(question)
        if not answer.abstained or time.monotonic() - ingested > 30:
            break
        time.sleep(0.2)
    assert not answer.abstained and "Đoàn Thanh niên" in answer.text
    assert "dạy bơi" in answer.citations[0].text


def test_the_app_behind_the_same_nginx_answers_its_ask_api_over_tls(province, tmp_path, tiny_corpus):
    """The app on 127.0.0.1 (itself a client of the gatekeeper), served by the template's
    `location /` block: /ask and /kb/ask over https, with the province's CA."""
    import json

    from kb.measure.loadtest import start_app

    url, ca, app_port = province
    shared = {"KB_CHROMA_URL": url, "KB_CHROMA_TOKEN": TOKEN, "KB_CHROMA_CA": str(ca)}
    ingest(Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "writer", chroma_url=url, chroma_token=TOKEN,
                  chroma_ca=str(ca)))
    app = start_app({**shared, "KB_DATA_DIR": str(tmp_path / "app"), "KB_CORPUS_DIR": str(tiny_corpus)},
                    app_port, ROOT)
    try:
        request = urllib.request.Request(f"{url}/gradio_api/run/ask", method="POST",
                                         data=json.dumps({"data": [QUESTION]}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60, context=ssl.create_default_context(cafile=str(ca))) as r:
            answer = json.loads(r.read())["data"][0]
        assert not answer["abstained"] and "Phòng Y tế" in answer["answer"]
        plain = urllib.request.Request(f"{url}/kb/ask", method="POST", data=json.dumps({"question": QUESTION}).encode(),
                                       headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(plain, timeout=60, context=ssl.create_default_context(cafile=str(ca))) as r:
            assert json.loads(r.read())["answer"] == answer["answer"]
        page = urllib.request.urlopen(f"{url}/", timeout=30, context=ssl.create_default_context(cafile=str(ca)))
        assert page.status == 200 and "gradio" in page.read().decode("utf-8", "replace").lower()
    finally:
        app.terminate()
        app.wait(timeout=30)
