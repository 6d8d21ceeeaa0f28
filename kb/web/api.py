"""The app's plain JSON route, POST /kb/ask, for scripts and other systems, and the ASGI app
that puts it in front of the Gradio chat (app.py serves both on one server). An edge: kb's
errors become one-line JSON errors here."""
from __future__ import annotations

from kb.errors import KBError
from kb.web.uitext import TEXT, too_long


def answer_json(kb, question, doc_ids: list[str] | None = None) -> dict:
    """One question -> the JSON object of `python -m kb ask --json`; ValueError (one line, in
    both languages) for an empty or over-long question, one that is not text, or a document id
    the index does not hold; KBError from kb."""
    if question is not None and not isinstance(question, str):
        raise ValueError('"question" must be a string of text')
    if not question or not question.strip():
        raise ValueError(TEXT["vi"]["empty_api"])
    unknown = [d for d in doc_ids or [] if d not in kb.documents]
    if unknown:
        raise ValueError(f"unknown document id: {', '.join(unknown[:3])} (the ids are those of `python -m kb ask --json` citations)")
    if too_long(question):
        raise ValueError(f'{too_long(question)} ({too_long(question, "en")})')
    return kb.ask(question, doc_ids=doc_ids or None).to_dict()  # thread-safe; kb admits answer_workers at once


def rest_api(kb, problem: str = ""):
    """A Starlette app with the plain JSON route for scripts and other systems:

        POST /kb/ask  {"question": "...", "documents": ["doc id", ...]}  -> the JSON of `kb ask --json`

    400 with {"error": "..."} for a bad question, 503 when the index cannot open. Unlike
    Gradio's /ask it builds no Gradio session per call (about a third of the server's Python
    time per question under load), so it serves more answers per second."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def answer(body) -> JSONResponse:
        if problem:
            return JSONResponse({"error": problem}, status_code=503)
        if not isinstance(body, dict):
            return JSONResponse({"error": 'send a JSON object: {"question": "..."}'}, status_code=400)
        documents = body.get("documents")
        if documents is not None and not (isinstance(documents, list) and all(isinstance(d, str) for d in documents)):
            return JSONResponse({"error": '"documents" must be a list of document ids'}, status_code=400)
        try:
            return JSONResponse(answer_json(kb, body.get("question"), documents))
        except (ValueError, KBError) as e:
            return JSONResponse({"error": str(e)}, status_code=400)

    async def ask(request) -> JSONResponse:  # a plain Starlette route: no validation layer
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": 'send a JSON object: {"question": "..."}'}, status_code=400)
        return await run_in_threadpool(answer, body)

    return Starlette(routes=[Route("/kb/ask", ask, methods=["POST"])])


# Gradio's REST route for the app's /ask API (what its "Use via API" page shows curl)
GRADIO_ASK = "/gradio_api/run/ask"
# the one Gradio session the calls of that route share when they bring none (see front)
REST_SESSION = "kb-rest-api"
REST_BODY_MAX = 64 * 1024  # bytes: a bigger body is passed on untouched (Gradio refuses or answers it)


def front(plain, chat):
    """One ASGI app: /kb/ask straight to `plain`, everything else (and the server's start and
    stop) to Gradio's app. The plain route thus skips Gradio's middleware (CORS, Brotli
    compression, body limits), about a tenth of the server's CPU per answer under load.

    A call of Gradio's REST route for /ask that names no session (curl, scripts) is given one
    shared session: otherwise Gradio builds a new one per call, configuring every component of
    the app, a third of the server's Python time per answer under load. /ask keeps no state,
    so sharing one is safe; calls that name their session (gradio_client, the page) keep it."""

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/kb/ask":
            await plain(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"] == GRADIO_ASK and scope["method"] == "POST":
            scope, receive = await with_session(scope, receive)
        await chat(scope, receive, send)

    return app


async def with_session(scope, receive):
    """The request of `scope` with REST_SESSION as its session_hash when its JSON body has none;
    anything else (not JSON, too big, a session named) is passed on as it came."""
    import json

    chunks, size, more = [], 0, True
    while more and size <= REST_BODY_MAX:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: let Gradio see it
            return scope, replay([b"".join(chunks)] if chunks else [], message, receive, more=True)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if not more:
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict) and not request.get("session_hash"):
            body = json.dumps({**request, "session_hash": REST_SESSION}).encode()
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
            scope = {**scope, "headers": headers + [(b"content-length", str(len(body)).encode())]}
    return scope, replay([body], None, receive, more)


def replay(bodies: list[bytes], last, receive, more: bool = False):
    """A `receive` that first gives back what was read (the body, or the message that ended
    it), then reads on."""
    pending = [{"type": "http.request", "body": b, "more_body": more} for b in bodies]
    if last is not None:
        pending.append(last)

    async def again():
        return pending.pop(0) if pending else await receive()

    return again
