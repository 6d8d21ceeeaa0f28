"""Command line: python -m kb ingest | ask | eval. Errors become one line and a non-zero exit."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kb.config import Config
from kb.errors import KBError


def _progress(total: int, desc: str = "embedding passages", unit: str = "passage"):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)


def _open(config: Config):
    from kb.knowledge import KnowledgeBase

    return KnowledgeBase.open(config, progress=_progress)


def cmd_ingest(args, config: Config) -> int:
    from kb.ingest.sync import ingest

    report = ingest(config, [Path(p) for p in args.paths] or None, rebuild=args.rebuild, progress=_progress)
    rows = [{"file": _short(f.path), "status": f.status, "passages": f.passages,
             "kept %": "" if f.kept is None else f"{f.kept:.1f}", "why": f.detail}
            for f in sorted(report.files, key=lambda f: (f.status == "unchanged", f.path))]
    _emit(rows, ["file", "status", "passages", "kept %", "why"], "table")
    print(f"{report.documents} documents, {report.chunks} passages: {report.added} added, "
          f"{report.removed} removed, {report.updated} updated, {report.embedded} newly embedded")
    if report.ocr_read or report.ocr_cached:
        print(f"OCR: {report.ocr_read} scanned pages read, {report.ocr_cached} from the OCR cache")
    for path, reason in report.failed:
        print(f"error: {path}: {reason}", file=sys.stderr)
    for path, notes in report.notes.items():
        for note in notes:
            print(f"warning: {_short(path)}: {note}", file=sys.stderr)
    return 0 if report.ok else 1


def _short(path: str) -> str:
    """A path relative to the working directory when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


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
    from kb.measure import crossval as cv
    from kb.measure import evaluate as ev

    if args.cv and not args.danger:
        data = cv.cross_validate_retrieval(_open(config), [Path(p) for p in (args.files or [args.qa])])
        path = ev.write_report(data, Path(args.out))
        print(cv.format_cv(data))
        print(f"report: {path}")
        return 0
    if args.cv_answer:
        data = cv.cross_validate_answer(_open(config), [Path(p) for p in args.cv_answer])
        path = ev.write_report(data, Path(args.out))
        print(cv.format_cv_answer(data))
        print(f"report: {path}")
        return 0
    if args.fit_abstain:
        from kb.answer import abstain

        model, how = cv.fit_abstention(_open(config), [Path(p) for p in args.fit_abstain])
        abstain.save(model, how)
        print(cv.format_abstention(how))
        print(f"weights: {abstain.WEIGHTS}")
        return 0
    if args.danger and args.sweep:
        ranked = ev.choose_danger(ev.sweep_danger(_open(config), Path(args.danger)))
        print("settings keeping out-of-fold recall 1.0, fewest false alarms first (the first is chosen):")
        for r in ranked[:10]:
            print(f"  l2={r['l2']} words={r['words']} threshold={r['threshold']} doubt_floor={r['doubt_floor']}"
                  f"  false alarms {r['false_alarm']:.3f}")
        return 0 if ranked else 1
    if args.danger:
        kb = _open(config)
        data = ev.evaluate_danger(kb, Path(args.danger), cv=args.cv)
        path = ev.write_report(data, Path(args.out))
        print(ev.format_danger(data))
        print(f"report: {path}")
        return 0
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


def _emit(rows: list[dict], columns: list[str], fmt: str) -> None:
    """Print rows as an aligned table, CSV, JSON (one array) or a Markdown table."""
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "md":
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns))
        for r in rows:
            print("| " + " | ".join(str(r[c]).replace("|", "/").replace("\n", " ") for c in columns) + " |")
    else:
        cells = [[str(r[c]).replace("\n", " ")[:70] for c in columns] for r in rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
        for row in [columns, ["-" * w for w in widths], *cells]:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


def cmd_bench(args, config: Config) -> int:
    from kb.measure import bench

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] if args.sizes else []
    data, path = bench.run(sizes, Path(args.out))
    print(bench.format_results(data))
    print(f"report: {path}\nchart: {path.with_suffix('.png')}")
    return 0


def cmd_loadtest(args, config: Config) -> int:
    from kb.measure.evaluate import load_qa
    from kb.measure.loadtest import compare, format_table, measure

    questions = [r["question"] for r in load_qa(Path(args.qa)) if r["answerable"]]
    clients = ("api", "http") if args.route == "both" else (args.route,)
    if args.url:
        results = {f"app ({c})": measure(args.url, questions, users=args.users, per_user=args.per_user,
                                         timeout_s=args.timeout, client=c, repeat=args.repeat) for c in clients}
    else:  # lock vs parallel in one run, each on its own app started here
        from kb.knowledge import load_passages

        load_passages(config, progress=_progress)  # the index must exist before the apps start
        results = compare(questions, {"lock": 1, "parallel": 0}, users=args.users, per_user=args.per_user,
                          timeout_s=args.timeout, clients=clients, repeat=args.repeat)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    print(format_table(results))
    return 0 if all(r["errors"] == 0 for r in results.values()) else 1


def cmd_duties(args, config: Config) -> int:
    from kb.features.duties import extract_duties, filter_duties
    from kb.knowledge import load_passages

    chunks, docs = load_passages(config, progress=_progress)
    from kb.ingest.notes import annotate_rows, load_notes

    rows = filter_duties(extract_duties(chunks, docs), args.agency or "", args.sector or "", args.doc or "")
    if args.score:
        return _score_duties(rows, Path(args.score))
    rows = annotate_rows(rows, load_notes(config.corpus_dir), "duty")
    _emit([r.to_dict() for r in rows], ["sector", "agency", "role", "duty", "doc_label", "section", "refs", "note"],
          args.format)
    return 0


def _score_duties(rows, gold_path: Path) -> int:
    """Precision and recall of the matrix against hand-checked gold rows, per split and document."""
    from kb.measure.goldscore import load_gold, report

    scores = report(load_gold(gold_path), [r.to_dict() for r in rows])
    _emit([{"part": k, "precision": f"{s.precision:.3f}", "recall": f"{s.recall:.3f}", "correct": s.correct,
            "extracted": s.extracted, "found": s.found, "gold": s.gold} for k, s in scores.items()],
          ["part", "precision", "recall", "correct", "extracted", "found", "gold"], "table")
    return 0


def cmd_deadlines(args, config: Config) -> int:
    from kb.features.deadlines import extract_deadlines, to_ics
    from kb.knowledge import load_passages

    chunks, docs = load_passages(config, progress=_progress)
    from kb.ingest.notes import annotate_rows, load_notes

    rows = [r for r in extract_deadlines(chunks, docs) if not args.doc or r.doc_id == args.doc]
    rows = annotate_rows(rows, load_notes(config.corpus_dir), "obligation")
    if args.ics:
        Path(args.ics).write_bytes(to_ics(rows))
        print(f"{sum(bool(r.iso_date) for r in rows)} dated deadlines written to {args.ics}", file=sys.stderr)
    _emit([r.to_dict() for r in rows], ["when", "kind", "iso_date", "agency", "obligation", "recipient", "doc_label",
                                        "section", "note"], args.format)
    return 0


def cmd_handout(args, config: Config) -> int:
    from kb.features.handout import to_docx, to_markdown, to_pptx

    handout = _open(config).handout(args.topic, args.audience, locality=args.locality)
    if handout.refusal:
        print(handout.refusal, file=sys.stderr)
        return 1
    out = Path(args.out or f"handout.{args.format}")
    if args.format == "docx":
        to_docx(handout, out)
        to_pptx(handout, out.with_suffix(".pptx"))
    else:
        out.write_text(to_markdown(handout), encoding="utf-8")
    print(f"{out}: {len(handout.points)} key points, {len(handout.duties)} duties, {len(handout.exercises)} exercises, "
          f"{len(handout.quiz)} quiz questions" + (f" (+ {out.with_suffix('.pptx')})" if args.format == "docx" else ""))
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
    s.add_argument("--danger", metavar="FILE", help="instead: recall / false alarms of the danger check on "
                   "labelled messages (eval/danger/*.jsonl)")
    s.add_argument("--cv", action="store_true", help="with --danger: out-of-fold scores (5 folds) on the "
                   "file the check is fitted on; alone: leave-one-file-out check of the retrieval weights "
                   "(kb/tuning.py) on the QA files given after it")
    s.add_argument("--sweep", action="store_true", help="with --danger: the grid the check's penalty, word "
                   "weight, threshold and band of doubt were chosen from, scored out of fold on the file")
    s.add_argument("files", nargs="*", help="with --cv: the QA files (each by another author)")
    s.add_argument("--cv-answer", nargs="+", metavar="FILE", help="instead: leave-one-file-out fit of the "
                   "answer's sentence-choice weights (kb/tuning.py AnswerTuning) by keyword accuracy on QA files")
    s.add_argument("--fit-abstain", nargs="+", metavar="FILE", help="instead: refit when to abstain on labelled "
                   "QA files (kb/tuned/abstain.json) and print its held-out rates")
    s = sub.add_parser("bench", help="measure ingest speed, latency and memory; save JSON + PNG")
    s.add_argument("--sizes", default="10000,100000", help="synthetic corpus sizes in passages (comma-separated)")
    s.add_argument("--out", default="bench/results")
    s = sub.add_parser("loadtest", help="N concurrent chat users: against a running app (--url), or "
                       "lock vs parallel on two apps started here")
    s.add_argument("--url", help="a running app; without it, kb starts the app twice (KB_WORKERS=1, then 0)")
    s.add_argument("--users", type=int, default=20)
    s.add_argument("--per-user", type=int, default=5, help="questions each user asks in turn")
    s.add_argument("--timeout", type=float, default=300, help="seconds before the run is cut short")
    s.add_argument("--qa", default="eval/qa.jsonl", help="questions are drawn from this eval file")
    s.add_argument("--route", choices=["api", "http", "gradio", "both"], default="both",
                   help="api: POST /kb/ask; http: Gradio's /ask over REST; gradio: gradio_client; "
                        "both: api then http (default)")
    s.add_argument("--repeat", type=int, default=5, help="rounds per mode and route; the median round is shown")
    formats = ["table", "csv", "json", "md"]
    s = sub.add_parser("duties", help="who must do what: the responsibility matrix")
    s.add_argument("--agency", help="agency name contains (diacritics optional)")
    s.add_argument("--sector", help="canonical sector, e.g. 'Công an', 'Y tế', 'Lao động'")
    s.add_argument("--doc", help="document id")
    s.add_argument("--format", choices=formats, default="table")
    s.add_argument("--score", metavar="GOLD", help="score against hand-checked gold rows (tests/gold/duties.jsonl)")
    s = sub.add_parser("deadlines", help="dates and deadlines with their obligations")
    s.add_argument("--doc", help="document id")
    s.add_argument("--ics", help="also write the dated ones to this .ics calendar file")
    s.add_argument("--format", choices=formats, default="table")
    s = sub.add_parser("handout", help="a cited training handout (key points, duties, hotlines, quiz)")
    s.add_argument("--topic", required=True)
    s.add_argument("--audience", choices=["teacher", "cadre", "officer"], default="teacher")
    s.add_argument("--locality", default="", help="prefer this locality's plan (e.g. \"Tây Ninh\")")
    s.add_argument("--format", choices=["docx", "md"], default="docx")
    s.add_argument("--out", help="output file (default: handout.docx / handout.md); a .pptx slide outline "
                                 "is written beside a DOCX")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        config = Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None,
                                 corpus_dir=Path(args.corpus) if args.corpus else None)
        commands = {"ingest": cmd_ingest, "ask": cmd_ask, "eval": cmd_eval, "duties": cmd_duties,
                    "deadlines": cmd_deadlines, "handout": cmd_handout, "bench": cmd_bench,
                    "loadtest": cmd_loadtest}
        return commands[args.command](args, config)
    except KBError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: run the same command again to finish (work done so far is kept)", file=sys.stderr)
        return 130
