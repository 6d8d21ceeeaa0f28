"""The app's ASGI front (kb/web/api.py) without a server: the plain JSON route when the index
cannot open, and what the front does to Gradio's REST calls."""
from concurrent.futures import ThreadPoolExecutor


def test_plain_json_route_says_why_when_the_index_cannot_open():
    from starlette.testclient import TestClient

    from kb.web.api import rest_api

    client = TestClient(rest_api(None, "the index was built with another model"))
    got = client.post("/kb/ask", json={"question": "Trẻ em là ai?"})
    assert got.status_code == 503 and "another model" in got.json()["error"]


def test_front_gives_sessionless_gradio_calls_one_session_and_passes_the_rest_untouched():
    import asyncio
    import json

    from kb.web.api import GRADIO_ASK, REST_BODY_MAX, REST_SESSION, front

    def call(path, chunks, method="POST"):
        seen = {}

        async def chat(scope, receive, send):
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            seen["body"], seen["headers"] = body, dict(scope["headers"])

        messages = [{"type": "http.request", "body": c, "more_body": i + 1 < len(chunks)} for i, c in enumerate(chunks)]

        async def receive():
            return messages.pop(0)

        scope = {"type": "http", "path": path, "method": method,
                 "headers": [(b"content-length", str(sum(map(len, chunks))).encode())]}
        with ThreadPoolExecutor(1) as pool:  # a loop of its own: the browser tests may hold this thread's
            pool.submit(asyncio.run, front(None, chat)(scope, receive, None)).result()
        return seen

    sent = json.dumps({"data": ["Trẻ em là ai?"]}).encode()
    got = call(GRADIO_ASK, [sent[:7], sent[7:]])  # a body in two pieces
    assert json.loads(got["body"]) == {"data": ["Trẻ em là ai?"], "session_hash": REST_SESSION}
    assert got["headers"][b"content-length"] == str(len(got["body"])).encode()
    own = json.dumps({"data": ["x"], "session_hash": "mine"}).encode()
    assert call(GRADIO_ASK, [own])["body"] == own  # a named session is kept
    for path, chunks in [(GRADIO_ASK, [b"not json"]), ("/gradio_api/run/other", [sent]),
                         (GRADIO_ASK, [b"{" + b" " * REST_BODY_MAX, b"}"])]:
        assert call(path, chunks)["body"] == b"".join(chunks), path  # passed on as it came
