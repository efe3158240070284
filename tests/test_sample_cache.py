"""The sample's fast-loading copy (lib.intake.sample_cache): it gives what the workbook gives, and
never a stale copy when the workbook changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib.core.dataset import TABLE_COLUMNS, Dataset
from lib.core.errors import Finding
from lib.intake import loader, sample_cache
from lib.intake.sample import generate, write_dataset

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "sample_org.xlsx"


def assert_same(a: Dataset, b: Dataset) -> None:
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert (a.source, a.findings, a.channel_modes, a.pseudonym_salt) == (
        b.source,
        b.findings,
        b.channel_modes,
        b.pseudonym_salt,
    )
    assert a.fingerprint() == b.fingerprint()


def test_the_copy_of_the_sample_equals_the_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = loader.load_path(SAMPLE)
    first = sample_cache.load_cached(SAMPLE, tmp_path)  # reads the workbook, writes the copy
    assert_same(first, expected)
    assert len(list(tmp_path.iterdir())) == 1

    def no_workbook(path: Path) -> Dataset:
        raise AssertionError(f"read {path} although a copy exists")

    monkeypatch.setattr(loader, "load_path", no_workbook)
    second = sample_cache.load_cached(SAMPLE, tmp_path)  # from the copy alone
    assert_same(second, expected)


def test_a_changed_workbook_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "org.zip"
    write_dataset(generate(people=40, seed=1, waves=1), path)
    old = sample_cache.load_cached(path, tmp_path / "cache")
    write_dataset(generate(people=45, seed=2, waves=1), path)  # same name, other bytes
    new = sample_cache.load_cached(path, tmp_path / "cache")
    assert len(old.people) == 40 and len(new.people) == 45
    assert_same(new, loader.load_path(path))
    assert sample_cache.cache_key(path) != sample_cache.cache_key(SAMPLE)


def test_findings_and_empty_tables_survive_the_copy(tmp_path: Path) -> None:
    ds = Dataset(
        people=generate(people=30, seed=3, waves=1).people,
        source="odd.xlsx",
        findings=[
            Finding("warning", "a note", file="odd.xlsx", sheet="people", row=7, column="team", value="x")
        ],
        channel_modes={"wiki": "stock"},
        pseudonym_salt="salt",
    )
    sample_cache.write_copy(ds, tmp_path / "copy")
    assert_same(sample_cache.read_copy(tmp_path / "copy"), ds)


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    assert_same(sample_cache.load_cached(SAMPLE, blocker), loader.load_path(SAMPLE))


def test_a_damaged_copy_is_replaced(tmp_path: Path) -> None:
    copy = tmp_path / sample_cache.cache_key(SAMPLE)
    sample_cache.load_cached(SAMPLE, tmp_path)
    (copy / "people.parquet").write_bytes(b"not parquet")
    assert_same(sample_cache.load_cached(SAMPLE, tmp_path), loader.load_path(SAMPLE))
    assert_same(sample_cache.read_copy(copy), loader.load_path(SAMPLE))
    shutil.rmtree(copy)
