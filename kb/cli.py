"""Command line: python -m kb ingest | ask | eval. Errors become one line and a non-zero exit."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .config import Config
from .errors import KBError


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding passages", unit="passage", file=sys.stderr, leave=False)


def _open(config: Config):
    from .pipeline import KnowledgeBase

    return KnowledgeBase.open(config, progress=_progress)


def cmd_ingest(args, config: Config) -> int:
    from .ingest import ingest

    report = ingest(config, [Path(p) for p in args.paths] or None, rebuild=args.rebuild, progress=_progress)
    print(f"{report.documents} documents, {report.chunks} passages: {report.added} added, "
          f"{report.removed} removed, {report.embedded} newly embedded")
    for path, reason in report.failed:
        print(f"error: {path}: {reason}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_ask(args, config: Config) -> int:
    kb = _open(config)
    doc_ids = args.doc or None
    questions = sys.stdin if args.question == "-" else [args.question]
    for line in questions:
        question = line.strip()
        if not question:
            continue
        answer = kb.ask(question, doc_ids=doc_ids)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(answer.text, flush=True)
            if args.question == "-":
                print()
    return 0


def cmd_eval(args, config: Config) -> int:
    from . import evaluate as ev

    rows = ev.load_qa(Path(args.qa))
    kb = _open(config)
    kb_results = ev.evaluate_kb(kb, rows)
    base = None if args.no_baseline else ev.evaluate_baseline(config, rows)
    data = ev.report(rows, kb_results, base)
    data["qa_file"] = str(args.qa)
    data["config"] = config.to_dict()
    if args.details:
        data["details"] = [{"id": r["id"], "lang": r["lang"], "answerable": r["answerable"],
                            "abstained": res["abstained"],
                            "rank": ev.first_relevant([c["text"] for c in res["citations"]], r["evidence"]),
                            "keywords_ok": ev.keywords_ok(res["answer"], r["answer_keywords"])}
                           for r, res in zip(rows, kb_results)]
    path = ev.write_report(data, Path(args.out))
    print(ev.format_table({k: v for k, v in data.items() if k in ("kb", "baseline")}))
    print(f"report: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kb", description="Cited answers from child-protection documents.")
    p.add_argument("--data-dir", help="index and cache folder (default: $KB_DATA_DIR or ./data)")
    p.add_argument("--corpus", help="documents folder (default: $KB_CORPUS_DIR or ./corpus)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("ingest", help="build or update the index (corpus/ plus any PATHs)")
    s.add_argument("paths", nargs="*", help="files or folders to add")
    s.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    s = sub.add_parser("ask", help="answer a question with citations")
    s.add_argument("question", help="the question, or - to read one per line from stdin")
    s.add_argument("--json", action="store_true", help="print JSON objects instead of text")
    s.add_argument("--doc", action="append", help="search only this document id (repeatable)")
    s = sub.add_parser("eval", help="score the knowledge base on a QA file")
    s.add_argument("--qa", default="eval/qa.jsonl")
    s.add_argument("--out", default="eval/reports")
    s.add_argument("--no-baseline", action="store_true", help="skip the plain llama-index baseline")
    s.add_argument("--details", action="store_true", help="add per-question results to the report")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        config = Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None,
                                 corpus_dir=Path(args.corpus) if args.corpus else None)
        return {"ingest": cmd_ingest, "ask": cmd_ask, "eval": cmd_eval}[args.command](args, config)
    except KBError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
