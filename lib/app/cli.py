"""Command line: ``python -m lib.cli validate|template|sample|analyze|report …``.

``validate FILE``            exit 0 when it loads; 1 with one line per finding (``sheet:row:column: message``)
``template OUT.xlsx [--roster ROSTER]``  the survey kit workbook (with the roster's name list)
``sample OUT --people N --seed S``   a generated organisation (.xlsx, or .zip of CSVs for big ones)
``analyze FILE --json OUT [--people]``  every analysis section as JSON (``ANALYSIS_SECTIONS``); per-person records on request
``report FILE --format pptx|xlsx|html --out PATH [--view aggregate|named] [--group-by ATTR]``  the exports the app offers
``import FILE --workspace NAME [--wave LABEL]``  store a loaded file as a new wave (all or nothing)
``workspaces [--json]``      every workspace with its waves and row counts
``delete --workspace NAME [--wave LABEL]``  delete a workspace (or one wave) with everything it holds
(the last three use ``$SLD_DATABASE_URL`` or ``data/workspaces.db``; ``--database URL`` overrides)
``definitions [--json]``     every measure and rule the app shows, from the registry (:mod:`lib.report.definitions`)
``survey EXPORT --roster ROSTER --out OUT.xlsx [--mapping MAP.json] [--review REVIEW.csv] [--wave LABEL]``
                             a survey tool's export (Microsoft Forms, Google Forms, Qualtrics, SurveyMonkey)
                             as a workbook in the data contract; exit 1 with one line when it cannot be read
``ingest SOURCE [SOURCE ...] --roster ROSTER --out OUT.zip [--engine duckdb|spark] [--period all|month|quarter|4w]
[--min-interactions N] [--max-recipients N]``  collaboration logs (Slack, Viva Insights, Zoom, Teams, .mbox,
xAPI, LMS, our interactions table) aggregated into a zip of contract CSVs (ties, learning hours)
``hash-password [--scrypt-n N]``  a scrypt hash for a built-in account's ``password_hash`` (password from stdin or a prompt)
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from lib.core import forked
from lib.core.errors import DataError, Finding

if (
    TYPE_CHECKING
):  # pandas is imported only once the command needs it: `analyze` starts its parser child first
    from lib.core.dataset import Dataset

#: JSON section name → "module:function" taking a Dataset and returning JSON-ready data.
#: Each analysis module adds its line here; the order is the order in the JSON file.
ANALYSIS_SECTIONS: dict[str, str] = {
    "dataset": "lib.app.cli:dataset_summary",
    "_network": "lib.analysis.network:analysis_json",
    "learning_mix": "lib.analysis.learning:analysis_json",
    "stocks_flows": "lib.analysis.flows:analysis_json",
    "collaboration_hours": "lib.analysis.flows:collaboration_hours_json",
    "shifts": "lib.analysis.shifts:analysis_json",
    "trust": "lib.analysis.trust:analysis_json",
    "wirearchy": "lib.analysis.wirearchy:analysis_json",
    "skills": "lib.analysis.smn:analysis_json",
    "top_gaps": "lib.analysis.skills:top_gaps_json",
}


def dataset_summary(ds: Dataset) -> dict[str, Any]:
    return {
        "source": ds.source,
        "people": len(ds.people),
        "rows": ds.summary(),
        "relations": ds.relations,
        "waves": ds.waves,
        "attributes": ds.attributes,
    }


def _resolve(spec: str) -> Callable[[Dataset], Any]:
    module, _, name = spec.partition(":")
    fn: Callable[[Dataset], Any] = getattr(importlib.import_module(module), name)
    return fn


#: How ``analyze`` groups its work into tasks for its two processes (:func:`lib.core.forked.share`),
#: in the order they are taken: the longest first, each taken by whichever process is free.
#: Sections in one task run in one process, in this order, where one reuses what another keeps
#: on the dataset object of the process that computed it: the network section is one task, its
#: relations in turn (``"all"`` first; :data:`_RELATION`), since the single relations reuse what
#: ``"all"`` keeps (who answered, the respondents' copy: about 0.3 s); wirearchy reuses trust's
#: person scores (0.12 s), shifts learning's mixes (0.25 s). Stocks and flows share nothing and
#: go last, to fill the gap. Sections not named here are tasks of their own, taken after these.
#: CPU seconds at 10,000 people, each task in a fresh process (session 15): the network 1.7-1.9,
#: trust and wirearchy 0.83, learning and shifts 0.71, skills 0.46, stocks and flows 0.25, the
#: others under 0.1 s; so one process runs the network and then stocks and flows, the other the
#: rest (session 14 ran learning, trust, wirearchy, shifts and stocks and flows as one task: with
#: the network 0.25 s cheaper, that task became the longer and the other process sat idle).
TASKS: tuple[tuple[str, ...], ...] = (
    ("_network",),
    ("trust", "wirearchy"),
    ("learning_mix", "shifts"),
    ("skills",),
    ("stocks_flows",),
)

#: A task's name for one relation of the network section (``_RELATION + "advice"``).
_RELATION = "_network:"


def _tasks(ds: Dataset) -> list[tuple[str, ...]]:
    """:data:`TASKS` for ``ds``: every section of :data:`ANALYSIS_SECTIONS` once, the network
    section as its relations in turn (``"all"`` first)."""
    named = [t for t in TASKS if all(s in ANALYSIS_SECTIONS for s in t)]
    rest = [(s,) for s in ANALYSIS_SECTIONS if not any(s in t for t in named)]
    relations = tuple(_RELATION + rel for rel in ["all", *ds.relations])
    return [relations if task == ("_network",) else task for task in [*named, *rest]]


def _section(ds: Dataset, spec: str, people: bool) -> Any:
    """One section's result: ``spec``'s function on ``ds`` (with ``people`` when it takes the flag)."""
    fn = _resolve(spec)
    takes_people = "people" in inspect.signature(fn).parameters
    return fn(ds, people=people) if takes_people else fn(ds)  # type: ignore[call-arg]


def analyze(ds: Dataset, people: bool = False, parallel: bool = False) -> dict[str, Any]:
    """Every analysis section, merged into one JSON-ready dict; per-person records (``people``,
    a generator of records) only when asked, from the sections that take a ``people`` flag.

    ``parallel``: the work (:data:`TASKS`) is shared with a forked child process as each process
    becomes free, up to :data:`lib.core.forked.MAX_PEOPLE` people (:func:`lib.core.forked.share`;
    the same functions on the same data, so the same results); when the child cannot run or fails,
    the tasks it took run here afterwards."""
    from lib.analysis import network  # the "_network" section's module: one task per relation

    parallel = parallel and len(ds.people) <= forked.MAX_PEOPLE
    tasks = _tasks(ds)

    def run(task: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for unit in task:
            if unit.startswith(_RELATION):
                rel = unit.removeprefix(_RELATION)
                out[unit] = network.relation_parts(ds, [rel], people)[rel]
            else:
                out[unit] = _section(ds, ANALYSIS_SECTIONS[unit], people)
        return out

    done: dict[str, Any] = {}
    for result in forked.share(tasks, run, fork=parallel).values():
        done.update(result)
    if "_network" in ANALYSIS_SECTIONS:
        parts = {u.removeprefix(_RELATION): part for u, part in done.items() if u.startswith(_RELATION)}
        done["_network"] = network.analysis_json(ds, people=people, parts=parts)
    out: dict[str, Any] = {}
    for section in ANALYSIS_SECTIONS:
        result = done[section]
        if isinstance(result, dict) and section.startswith("_"):
            out.update(result)  # a module contributing several top-level keys
        else:
            out[section] = result
    return out


def _import_igraph_without_pyplot() -> None:
    """Import igraph with matplotlib hidden, so it does not import ``matplotlib.pyplot`` for its
    plotting (about 0.8 s on this machine; python-igraph issue #762). Nothing here plots with
    igraph; matplotlib stays importable afterwards for the report's charts. Only for the command
    line, which imports in one thread: in the app another thread could import matplotlib while it
    is hidden. Nothing to do when igraph or matplotlib is already imported."""
    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        return
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import matplotlib → ImportError
    try:
        import igraph  # noqa: F401
    finally:
        del sys.modules["matplotlib"]


def _import_for_analysis() -> None:
    """What ``analyze`` needs after parsing, imported on a thread while the file parses: pandas
    and the loader, igraph (:func:`_import_igraph_without_pyplot`), every section's module."""
    import lib.intake.loader  # noqa: F401

    _import_igraph_without_pyplot()
    _import_sections()


def _import_sections() -> None:
    """Import every analysis section's module (errors are left for the call that uses it)."""
    for spec in ANALYSIS_SECTIONS.values():
        try:
            importlib.import_module(spec.partition(":")[0])
        except Exception:  # analyze() imports it again and reports the error
            continue


def _load(path: str) -> Dataset:
    from lib.intake.loader import load_path

    # one thread here: part of the build in a forked child
    return load_path(Path(path), fork=True)


def _say(err: DataError) -> None:
    """The findings that stopped a load, one line each, to stderr."""
    for f in err.findings:
        print(f.line(), file=sys.stderr)


def _load_or_say(path: str) -> Dataset | None:
    """:func:`_load`, or None after printing the errors that stopped it (:func:`_say`)."""
    try:
        return _load(path)
    except DataError as err:
        _say(err)
        return None


def _validate_line(f: Finding) -> str:
    """``sheet:row:column: message``; a finding about a whole file names the file in the sheet slot."""
    return f.line() if f.sheet or not f.file else f"{f.file}{f.line()}"


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        ds = _load(args.file)
    except DataError as err:
        for f in err.findings:
            print(_validate_line(f))
        return 1
    for f in ds.findings:
        print(_validate_line(f))
    print(f"OK: {len(ds.people)} people, {len(ds.ties)} ties loaded from {args.file}", file=sys.stderr)
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from lib.intake.template import template_bytes

    labels = None
    if args.roster:
        from lib.intake.survey.people import name_list, read_roster

        try:
            roster, findings = read_roster(Path(args.roster).name, Path(args.roster).read_bytes())
        except OSError as err:
            print(f"error: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
            return 1
        if roster is None:
            print(f"error: {_reason(findings, 'the roster cannot be read')}", file=sys.stderr)
            return 1
        labels = list(name_list(roster)["label"])
    Path(args.out).write_bytes(template_bytes(labels))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from lib.intake.sample import generate, write_dataset

    ds = generate(people=args.people, seed=args.seed, ties_per_person=args.ties_per_person)
    written = write_dataset(ds, Path(args.out))
    print(f"wrote {written}", file=sys.stderr)
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    import gc
    import os
    import threading

    from lib.core.schema import DEFAULT_LIMITS
    from lib.intake import parser_child

    if args.own_process:
        # A process of its own (``python -m lib.cli``), tuned as such (benchmarks/README.md, tenth
        # pass): one BLAS thread per process, set before numpy loads (threadpool_limits below
        # reaches only the BLAS libraries loaded in this process, not the parser child's); no
        # automatic garbage collection (each pass walked every object of the loaded tables; what
        # a cycle holds is freed when the process ends). Not when called in another program (the
        # tests).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        # Arrow's own allocator (jemalloc) cost about 0.4 s of CPU and 0.2 s of the 10k run beside
        # the C library's, which the parser child already uses (benchmarks/README.md, twelfth pass)
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
        gc.disable()
    # first thing: the parser child starts (Python and Arrow, about 0.15 s) while this process
    # imports the parser's module and plans the file (numpy and Arrow, not pandas)
    parser_child.prestart(DEFAULT_LIMITS)
    from lib.intake import parsing

    # pandas, the loader and the analysis modules (about half a second) import on a thread while
    # the child parses the file, on the other core; the loader's fork waits for them to end
    importing = threading.Thread(target=_import_for_analysis, name="import-sections", daemon=True)
    forked.wait_for(importing)

    try:
        parsed = parsing.parse_path(args.file, DEFAULT_LIMITS, started=importing.start)
    except DataError as err:
        _say(err)
        return 1
    finally:
        if importing.ident is not None:  # not started when the file failed before its plan
            importing.join()
    from threadpoolctl import threadpool_limits

    from lib.intake.loader import load_parsed

    # this command's processes (lib.core.forked) share the two cores: one BLAS thread each
    # (OpenBLAS's second thread spinning beside the other process cost about 0.8 s of CPU at 10k)
    with threadpool_limits(limits=1, user_api="blas"):
        try:
            ds = load_parsed(parsed, fork=True)  # one thread here: part of the build in a forked child
        except DataError as err:
            _say(err)
            return 1
        # the parser's raw tables, no longer needed: not kept through the analysis (at 100,000
        # people about 600 MB of the peak)
        del parsed
        result = analyze(ds, people=args.people, parallel=True)
        if args.json:
            with Path(args.json).open("w", encoding="utf-8") as out:
                write_analysis_json(result, out)
        else:
            write_analysis_json(result, sys.stdout)
            sys.stdout.write("\n")
    if args.own_process:
        # the output is written and closed: end here, without freeing the loaded tables object by
        # object (about 0.15 s at 10,000 people) only for the process to give their memory back
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


def definitions_text() -> str:
    """The registry as text: per entry ``key · measure (area)``, its unit, variant and source, and its
    definition indented below (:func:`lib.report.definitions.rows`)."""
    from lib.report import definitions

    lines: list[str] = []
    for row in definitions.rows():
        lines.append(f"{row['key']} · {row['measure']} ({row['area']})")
        facts = "; ".join(f"{k}: {row[k]}" for k in ("unit", "variant", "source") if row[k])
        if facts:
            lines.append(f"    {facts}")
        lines.extend(f"    {paragraph}" for paragraph in row["definition"].split("\n"))
    return "\n".join(lines)


def _cmd_definitions(args: argparse.Namespace) -> int:
    from lib.report import definitions

    print(
        json.dumps(definitions.as_json(), ensure_ascii=False, indent=1) if args.json else definitions_text()
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from lib.report.exports import ExportOptions, build_report

    try:
        options = ExportOptions(
            view=args.view,
            min_group_size=args.min_group_size,
            pseudonyms=args.pseudonyms,
            wave=args.wave,
            group_by=args.group_by or "department",
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    ds = _load_or_say(args.file)
    if ds is None:
        return 1
    if args.wave is not None and ds.waves and args.wave not in ds.waves:
        print(f"error: no wave {args.wave!r} in {args.file} (waves: {', '.join(ds.waves)})", file=sys.stderr)
        return 2
    if args.group_by is not None and args.group_by not in ds.attributes:
        offered = ", ".join(ds.attributes) or "none: the people sheet has no attribute to group by"
        print(
            f"error: no people attribute {args.group_by!r} to group by (offered: {offered})", file=sys.stderr
        )
        return 2
    report = build_report(ds, options)
    if args.format == "pptx":
        from lib.report.deck import deck_bytes

        data = deck_bytes(ds, options, report=report)
    elif args.format == "xlsx":
        from lib.report.exports import workbook_bytes

        data = workbook_bytes(ds, options, report=report)
    else:
        from lib.report.html import html_bytes

        data = html_bytes(ds, options, report=report)
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out} ({args.format}, {args.view} view, {len(data):,} bytes)", file=sys.stderr)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    import time
    from dataclasses import replace

    from lib.store.workspaces import (
        WorkspaceError,
        WorkspaceSettings,
        get_workspace,
        import_file,
        open_database,
    )
    from lib.store.workspaces import update_settings as update_workspace_settings

    start = time.perf_counter()

    def say(message: str) -> None:
        print(f"{message} ({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)

    try:
        engine = open_database(args.database)
        settings = None
        if args.retention_days is not None:
            try:
                current = get_workspace(engine, args.workspace).settings
                update_workspace_settings(
                    engine, args.workspace, replace(current, retention_days=args.retention_days)
                )
            except WorkspaceError:  # a new workspace: created with this retention by the import
                settings = WorkspaceSettings(retention_days=args.retention_days)
        say(f"loading {args.file}")
        _ds, info = import_file(engine, args.file, args.workspace, args.wave, settings=settings, progress=say)
    except DataError as err:
        _say(err)
        print("nothing was imported", file=sys.stderr)
        return 1
    except WorkspaceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled: nothing was imported", file=sys.stderr)
        return 130
    workspace = get_workspace(engine, args.workspace).name  # as stored: the name normalised
    say(f"imported wave {info.label!r} into workspace {workspace!r}")
    counts = ", ".join(f"{n:,} {name}" for name, n in info.rows.items() if n)
    print(f"{workspace}\t{info.label}\t{counts}")
    return 0


def _cmd_workspaces(args: argparse.Namespace) -> int:
    from lib.store.workspaces import list_workspaces, open_database

    spaces = list_workspaces(open_database(args.database))
    if args.json:
        data = [
            {
                "name": ws.name,
                "created_at": ws.created_at.isoformat(),
                "min_group_size": ws.settings.min_group_size,
                "default_view": ws.settings.default_view,
                "retention_days": ws.settings.retention_days,
                "waves": [
                    {
                        "label": w.label,
                        "kind": w.kind,
                        "source": w.source,
                        "imported_at": w.imported_at.isoformat(),
                        "rows": w.rows,
                        "stored_bytes": w.stored_bytes,
                        "upload_bytes": w.upload_bytes,
                    }
                    for w in ws.waves
                ],
            }
            for ws in spaces
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not spaces:
        print("no workspaces yet: python -m lib.cli import FILE --workspace NAME", file=sys.stderr)
    for ws in spaces:
        days = ws.settings.retention_days
        keep = "keep uploads" if days is None else f"keep uploads {days} days"
        print(
            f"{ws.name}  ({len(ws.waves)} wave(s); minimum group {ws.settings.min_group_size}; "
            f"{ws.settings.default_view} view; {keep})"
        )
        for w in ws.waves:
            counts = ", ".join(f"{n:,} {name}" for name, n in w.rows.items() if n)
            size = (w.stored_bytes + w.upload_bytes) / 1e6
            print(f"  {w.label}  {w.kind}  {w.imported_at:%Y-%m-%d %H:%M} UTC  {size:.1f} MB  {counts}")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    from lib.store.workspaces import (
        WorkspaceError,
        delete_wave,
        delete_workspace,
        get_workspace,
        open_database,
    )

    try:
        engine = open_database(args.database)
        if args.wave is not None:
            workspace = get_workspace(engine, args.workspace).name  # as stored: the name normalised
            delete_wave(engine, workspace, args.wave)
            print(f"deleted wave {args.wave!r} of workspace {workspace!r}", file=sys.stderr)
            return 0
        gone = delete_workspace(engine, args.workspace)
    except WorkspaceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(
        f"deleted workspace {gone.workspace!r}: {gone.waves} wave(s), {gone.tables} table(s), "
        f"{gone.files} uploaded file(s), {gone.cached_results} cached result(s), "
        f"{gone.workshop_sessions} workshop session(s), {gone.actions} action(s), "
        f"{gone.pulse_answers} pulse answer(s)",
        file=sys.stderr,
    )
    return 0


def _reason(findings: Sequence[Finding], fallback: str) -> str:
    """The first error of ``findings`` as one line (file, message, value)."""
    first = next((f for f in findings if f.severity == "error"), None)
    if first is None:
        return fallback
    value = f" ({first.value})" if first.value else ""
    return f"{first.file}: {first.message}{value}"


def _cmd_survey(args: argparse.Namespace) -> int:
    from lib.intake.survey.convert import Settings, convert, read_review_choices, review_csv, workbook_bytes
    from lib.intake.survey.people import FUZZY_THRESHOLD, read_roster
    from lib.intake.survey.questions import mapping_from_json
    from lib.intake.survey.tools import read_export

    try:
        export_bytes, roster_bytes = Path(args.export).read_bytes(), Path(args.roster).read_bytes()
        mapping = mapping_from_json(Path(args.mapping).read_text(encoding="utf-8")) if args.mapping else {}
    except OSError as err:
        print(f"error: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    except ValueError as err:
        print(f"error: {args.mapping}: {err}", file=sys.stderr)
        return 1
    export, findings = read_export(Path(args.export).name, export_bytes)
    if export is None:
        print(f"error: {_reason(findings, 'the export cannot be read')}", file=sys.stderr)
        return 1
    roster, roster_findings = read_roster(Path(args.roster).name, roster_bytes)
    if roster is None:
        print(f"error: {_reason(roster_findings, 'the roster cannot be read')}", file=sys.stderr)
        return 1
    settings = Settings(
        keep_partial=not args.drop_partial, threshold=args.threshold or FUZZY_THRESHOLD, wave=args.wave or ""
    )
    review = Path(args.review) if args.review else None
    try:  # a REVIEW.csv filled in (chosen_person_id) resolves its answers
        chosen = read_review_choices(review.read_bytes()) if review is not None and review.is_file() else {}
    except (OSError, ValueError) as err:
        print(f"error: {args.review}: {err}", file=sys.stderr)
        return 1
    known = set(roster.people["person_id"].astype(str))
    for (_respondent, _column, text), person in chosen.items():
        if person and person not in known:
            print(f"warning: {args.review}: {person!r} chosen for {text!r} is not on the roster; asked again")
    result = convert(export, roster, mapping, settings=settings, remembered=chosen)
    Path(args.out).write_bytes(workbook_bytes(result))
    if review is not None:
        review.write_bytes(review_csv(result, chosen))
    for f in result.notes:
        where = ", ".join(p for p in (f"row {f.row}" if f.row else "", f.column) if p)
        value = f" (value: {f.value!r})" if f.value else ""
        print(f"{f.severity}: {f.message}{value}" + (f" [{where}]" if where else ""), file=sys.stderr)
    where = f" (listed in {args.review})" if args.review and result.review else ""
    print(
        f"wrote {args.out}: {export.tool} export, {len(result.tables['ties'])} ties; "
        f"{len(result.review)} answer(s) need review{where}"
    )
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    import time

    from lib.intake.logs.aggregate import EngineUnavailable, require_spark
    from lib.intake.logs.ingest import IngestOptions, ingest, read_roster, write_zip

    start = time.perf_counter()
    if args.engine == "spark":
        try:
            require_spark()
        except EngineUnavailable as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    try:
        people = read_roster(Path(args.roster))
    except DataError as err:
        for f in err.findings:
            print(_validate_line(f), file=sys.stderr)
        print("error: the roster did not load; nothing was ingested", file=sys.stderr)
        return 1
    options = IngestOptions(
        engine=args.engine,
        period=args.period,
        min_interactions=args.min_interactions,
        max_recipients=args.max_recipients,
    )
    result = ingest([Path(s) for s in args.sources], people, options)
    for line in result.report.lines():
        print(line, file=sys.stderr)
    write_zip(result, Path(args.out))
    print(
        f"wrote {args.out}: {len(result.people):,} people, {len(result.ties):,} ties, "
        f"{len(result.learning):,} learning rows ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _cmd_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from lib.app.auth import SCRYPT_N, hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        print(hash_password(password, n=SCRYPT_N if args.scrypt_n is None else args.scrypt_n))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print('paste it into .streamlit/secrets.toml as password_hash = "..."', file=sys.stderr)
    return 0


def analysis_json_text(result: dict[str, Any]) -> str:
    """:func:`write_analysis_json` into a string."""
    buffer = io.StringIO()
    write_analysis_json(result, buffer)
    return buffer.getvalue()


def write_analysis_json(result: dict[str, Any], out: TextIO) -> None:
    """Strict JSON (RFC 8259: no NaN, no Infinity): every non-finite number becomes ``null``, and
    ``null_values`` lists where and why (``{"path": "shifts.x", "reason": "not a number (NaN)"}``),
    so a reader can tell "undefined here" from a measure that is missing.

    Written section by section; a section that is an iterator (the per-person records) is written
    one record per line as it is produced, so the whole document is never held twice in memory.
    """
    nulls: list[dict[str, str]] = []
    out.write("{")
    for i, (key, value) in enumerate(result.items()):
        out.write(("," if i else "") + "\n  " + json.dumps(str(key)) + ": ")
        if isinstance(value, Iterator):
            out.write("[")
            for j, item in enumerate(value):
                clean = json_ready(item, f"{key}[{j}]", nulls)
                out.write(("," if j else "") + "\n    " + json.dumps(clean, allow_nan=False))
            out.write("\n  ]")
        else:
            text = json.dumps(json_ready(value, str(key), nulls), indent=2, allow_nan=False)
            out.write(text.replace("\n", "\n  "))
    out.write(("," if result else "") + '\n  "null_values": ')
    out.write(json.dumps(nulls, indent=2).replace("\n", "\n  "))
    out.write("\n}")


def json_ready(value: object, path: str = "", nulls: list[dict[str, str]] | None = None) -> object:
    """``value`` with numpy scalars as Python ones, keys as text, dates as ISO text, and NaN or
    ±infinity as ``None`` (recorded in ``nulls`` with the path and the reason)."""
    import datetime as dt
    import math

    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): json_ready(v, f"{path}.{k}" if path else str(k), nulls) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(v, f"{path}[{i}]", nulls) for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist(), path, nulls)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number):
            return number
        if nulls is not None:
            reason = "not a number (NaN): undefined for these data" if math.isnan(number) else "infinite"
            nulls.append({"path": path, "reason": reason})
        return None
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        if nulls is not None:
            nulls.append({"path": path, "reason": "missing"})
        return None
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__} at {path or 'the top'}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.cli", description=__doc__.splitlines()[0] if __doc__ else None
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a workbook, CSV, zip or folder; exit 1 on errors")
    p.add_argument("file")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("template", help="write the survey-kit template workbook")
    p.add_argument("out")
    p.add_argument("--roster", help="the people sheet: adds the name list to paste as the survey's choices")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("sample", help="write a generated sample organisation")
    p.add_argument("out")
    p.add_argument("--people", type=int, default=250)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--ties-per-person", type=float, default=None, help="about this many ties per person (benchmarks)"
    )
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("report", help="write the PowerPoint deck, Excel workbook or HTML report")
    p.add_argument("file")
    p.add_argument("--format", choices=["pptx", "xlsx", "html"], required=True)
    p.add_argument("--out", required=True, help="output file")
    p.add_argument("--view", choices=["aggregate", "named"], default="aggregate")
    p.add_argument("--min-group-size", type=int, default=5, help="at least 5 (default 5)")
    p.add_argument("--pseudonyms", action="store_true", help="named view: stable pseudonyms instead of names")
    p.add_argument("--wave", help="the wave to report (default: the latest)")
    p.add_argument(
        "--group-by",
        help="the people attribute the group tables compare (default: department), as the pages offer;"
        " the aggregate view shows only the groups lib.core.privacy releases",
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("analyze", help="run every analysis and write JSON")
    p.add_argument("file")
    p.add_argument("--json", help="output file (default: standard output)")
    p.add_argument(
        "--people", action="store_true", help="add one record per person with every per-person measure"
    )
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("definitions", help="print every measure's definition (the registry)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_definitions)

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database", metavar="URL", help="SQLAlchemy URL (default: $SLD_DATABASE_URL or data/workspaces.db)"
    )

    p = sub.add_parser("import", parents=[database], help="store a file as a new wave (all or nothing)")
    p.add_argument("file")
    p.add_argument("--workspace", required=True, help="created when it does not exist")
    p.add_argument("--wave", help="wave label (default: the file's one wave label, else its name)")
    p.add_argument("--retention-days", type=int, help="keep this workspace's uploads this many days")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("workspaces", parents=[database], help="list workspaces, their waves and row counts")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_workspaces)

    p = sub.add_parser("delete", parents=[database], help="delete a workspace (or one wave) and all it holds")
    p.add_argument("--workspace", required=True)
    p.add_argument("--wave", help="delete only this wave")
    p.set_defaults(func=_cmd_delete)

    p = sub.add_parser(
        "survey", help="a survey tool's export, matched to the roster, as a workbook in the data contract"
    )
    p.add_argument("export", help="the export as the tool gave it (.csv or .xlsx)")
    p.add_argument(
        "--roster", required=True, help="the people sheet (.xlsx or .csv): person_id, name, team, email"
    )
    p.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    p.add_argument("--mapping", help="JSON: column → meaning for questions not in the kit")
    p.add_argument(
        "--review",
        help="CSV: one row per answer that needs review; fill in chosen_person_id (a person_id or 'nobody') "
        "and give the same file again: those answers are resolved",
    )
    p.add_argument("--wave", help="wave label written on every row")
    p.add_argument("--drop-partial", action="store_true", help="drop unfinished responses (default: keep)")
    p.add_argument(
        "--threshold",
        type=float,
        help="fuzzy name-match score 0–100 that counts (default: lib.intake.survey.people.FUZZY_THRESHOLD)",
    )
    p.set_defaults(func=_cmd_survey)
    p = sub.add_parser("ingest", help="aggregate collaboration logs into a zip of contract CSVs")
    p.add_argument(
        "sources", nargs="+", metavar="SOURCE", help="files, folders or zips (recognised by shape)"
    )
    p.add_argument("--roster", required=True, help="the people: a workbook, CSV or zip the loader reads")
    p.add_argument("--out", required=True, help="the zip to write")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    p.add_argument("--period", choices=["all", "month", "quarter", "4w"], default="4w")
    p.add_argument("--min-interactions", type=_positive, default=2, help="per pair and period (default 2)")
    p.add_argument("--max-recipients", type=_positive, default=25, help="mail recipients / meeting attendees")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("hash-password", help="hash a password for [accounts.<name>] password_hash (scrypt)")
    p.add_argument(
        "--scrypt-n",
        type=int,
        default=None,
        metavar="N",
        # the default is read when the command runs: lib.app.auth imports the database layer,
        # which every other command would otherwise load (about 0.5 s) just to print this help
        help="scrypt cost N: [passwords] scrypt_n in the secrets, when set (default: lib.app.auth.SCRYPT_N)",
    )
    p.set_defaults(func=_cmd_hash_password)
    return parser


def main(argv: Sequence[str] | None = None, own_process: bool = False) -> int:
    """Run the command ``argv`` (the process's arguments by default). ``own_process``: the process
    is the command's alone and ends with it (``python -m lib.cli``), so a command may tune it for
    itself (``analyze``: :func:`_cmd_analyze`)."""
    args = build_parser().parse_args(argv)
    args.own_process = own_process
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main(own_process=True))
