"""Import time and database size of workspaces, on SQLite and (when given) PostgreSQL.

    .venv/bin/python benchmarks/bench_workspaces.py [--postgres URL] [--sizes 10000]

For the bundled 250-person sample and each generated size (``lib.intake.sample.generate(people=N,
seed=1, ties_per_person=20)`` written as a zip of CSVs): the command-line import end to end
(``python -m lib.cli import``, loading included), then the database step alone
(:func:`lib.store.workspaces.import_dataset`: encoding and the one transaction), reading the wave back
(:func:`lib.store.workspaces.load_wave`) and the database size. Each run uses a fresh SQLite file or a
fresh PostgreSQL schema.
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from lib.intake.loader import load_path  # noqa: E402
from lib.intake.sample import generate, write_dataset  # noqa: E402
from lib.store import workspaces  # noqa: E402


def _size(url: str) -> int:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = Path(parsed.database or "")
        return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    engine = create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(
            text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        ).scalar_one()
    engine.dispose()
    return int(size)


def _fresh(kind: str, postgres: str, tmp: Path, tag: str) -> tuple[str, object]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{tag}.db'}", None
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), (admin, schema)


def _drop(handle: object) -> None:
    if handle is None:
        return
    admin, schema = handle  # type: ignore[misc]
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL (e.g. $TEST_DATABASE_URL)")
    parser.add_argument("--sizes", default="10000")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workspaces-"))
    files = {"sample 250": ROOT / "sample_data" / "sample_org.xlsx"}
    for n in (int(s) for s in args.sizes.split(",") if s):
        ds = generate(people=n, seed=1, ties_per_person=20)
        files[f"generated {n}"] = write_dataset(ds, tmp / f"org{n}.zip")
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    print("dataset | backend | rows | CLI import s | DB step s | reload s | DB MB | upload MB")
    for label, path in files.items():
        ds = load_path(path)
        rows = sum(ds.summary().values())
        for kind in kinds:
            url, handle = _fresh(kind, args.postgres or "", tmp, f"{kind}{rows}")
            try:
                t = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "lib.cli",
                        "import",
                        str(path),
                        "--workspace",
                        "cli",
                        "--database",
                        url,
                    ],
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                )
                cli_s = time.perf_counter() - t
                engine = workspaces.open_database(url)
                workspaces.delete_workspace(engine, "cli")
                t = time.perf_counter()
                info = workspaces.import_dataset(engine, "api", ds, "w")
                step_s = time.perf_counter() - t
                t = time.perf_counter()
                workspaces.load_wave(engine, "api", "w")
                load_s = time.perf_counter() - t
                engine.dispose()
                # size of one imported wave with its kept upload (a fresh database per row)
                url2, handle2 = _fresh(kind, args.postgres or "", tmp, f"{kind}{rows}b")
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "lib.cli",
                        "import",
                        str(path),
                        "--workspace",
                        "s",
                        "--database",
                        url2,
                    ],
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                )
                size = _size(url2)
                _drop(handle2)
                print(
                    f"{label} | {kind} | {rows:,} | {cli_s:.1f} | {step_s:.2f} | {load_s:.2f} | "
                    f"{size / 1e6:.1f} | {path.stat().st_size / 1e6:.1f} (tables {info.stored_bytes / 1e6:.1f})"
                )
            finally:
                _drop(handle)


if __name__ == "__main__":
    main()
