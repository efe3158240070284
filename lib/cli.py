"""Command line: ``python -m lib.cli validate|template|sample|analyze …``.

``validate FILE``            exit 0 when it loads; 1 with one line per finding (``sheet:row:column: message``)
``template OUT.xlsx``        the survey kit workbook
``sample OUT --people N --seed S``   a generated organisation (.xlsx, or .zip of CSVs for big ones)
``analyze FILE --json OUT``  every analysis section as JSON (sections listed in ``ANALYSIS_SECTIONS``)
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lib.dataset import Dataset
from lib.errors import DataError

#: JSON section name → "module:function" taking a Dataset and returning JSON-ready data.
#: Each analysis module adds its line here; the order is the order in the JSON file.
ANALYSIS_SECTIONS: dict[str, str] = {
    "dataset": "lib.cli:dataset_summary",
    "_network": "lib.network:analysis_json",
    "learning_mix": "lib.learning:analysis_json",
    "stocks_flows": "lib.flows:analysis_json",
    "shifts": "lib.shifts:analysis_json",
    "skills": "lib.skills:analysis_json",
    "top_gaps": "lib.skills:top_gaps_json",
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


def analyze(ds: Dataset) -> dict[str, Any]:
    """Every analysis section, merged into one JSON-ready dict."""
    out: dict[str, Any] = {}
    for section, spec in ANALYSIS_SECTIONS.items():
        result = _resolve(spec)(ds)
        if isinstance(result, dict) and section.startswith("_"):
            out.update(result)  # a module contributing several top-level keys
        else:
            out[section] = result
    return out


def _load(path: str) -> Dataset:
    from lib.loader import load_path

    return load_path(Path(path))


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        ds = _load(args.file)
    except DataError as err:
        for f in err.findings:
            print(f.line())
        return 1
    for f in ds.findings:
        print(f.line())
    print(f"OK: {len(ds.people)} people, {len(ds.ties)} ties loaded from {args.file}", file=sys.stderr)
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from lib.template import template_bytes

    Path(args.out).write_bytes(template_bytes())
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from lib.sample import generate, write_dataset

    ds = generate(people=args.people, seed=args.seed)
    written = write_dataset(ds, Path(args.out))
    print(f"wrote {written}", file=sys.stderr)
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    try:
        ds = _load(args.file)
    except DataError as err:
        for f in err.findings:
            print(f.line(), file=sys.stderr)
        return 1
    result = analyze(ds)
    text = json.dumps(result, indent=2, default=_json_default, allow_nan=False)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def _json_default(value: object) -> object:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a workbook, CSV, zip or folder; exit 1 on errors")
    p.add_argument("file")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("template", help="write the survey-kit template workbook")
    p.add_argument("out")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("sample", help="write a generated sample organisation")
    p.add_argument("out")
    p.add_argument("--people", type=int, default=250)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("analyze", help="run every analysis and write JSON")
    p.add_argument("file")
    p.add_argument("--json", help="output file (default: standard output)")
    p.set_defaults(func=_cmd_analyze)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
