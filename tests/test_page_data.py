"""The Data page in AppTest: a good upload replaces the data; a bad one is reported and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.intake.sample import generate, write_dataset

ROOT = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    return at


def _markdown(at: AppTest) -> str:
    # markdown source has user text escaped (org40\\.xlsx): compare the text a reader sees
    text = "\n".join(str(m.value) for m in [*at.markdown, *at.success, *at.error, *at.caption])
    return text.replace("\\", "")


def test_good_upload_replaces_the_sample(tmp_path: Path) -> None:
    path = write_dataset(generate(people=40, seed=11), tmp_path / "org40.xlsx")
    at = _data_page()
    at.file_uploader(key="upload").set_value([("org40.xlsx", path.read_bytes(), XLSX)]).run()
    assert not at.exception
    assert "org40.xlsx" in _markdown(at)
    assert len(at.session_state["dataset"].people) == 40


def test_bad_upload_is_reported_and_keeps_the_loaded_data(tmp_path: Path) -> None:
    good = write_dataset(generate(people=40, seed=11), tmp_path / "org40.xlsx")
    at = _data_page()
    at.file_uploader(key="upload").set_value([("org40.xlsx", good.read_bytes(), XLSX)]).run()
    at.file_uploader(key="upload").set_value([("broken.xlsx", good.read_bytes()[:1500], XLSX)]).run()
    assert not at.exception
    assert len(at.session_state["dataset"].people) == 40  # nothing lost
    assert any("broken.xlsx" in str(e.value).replace("\\", "") for e in at.error)
    status, names, findings = at.session_state["last_report"]
    assert status == "failed" and names == "broken.xlsx"
    assert any(f.severity == "error" and f.file == "broken.xlsx" for f in findings)
    shown = at.dataframe[0].value  # the validation report table, errors first
    assert shown.loc[0, "severity"] == "error"


def test_aggregate_view_hides_row_previews() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["view"] = "aggregate"
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert len(at.dataframe) == 1  # only the row counts: no sheet preview
    assert any("hidden in the aggregate view" in str(i.value) for i in at.info)


def test_any_failure_of_loading_becomes_findings_and_keeps_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: a failure of whatever type (here an unforeseen OutOfBoundsDatetime) is a finding
    on the page, not a generic message, and the data loaded before stays."""
    from pandas.errors import OutOfBoundsDatetime

    from lib.intake import loader

    good = write_dataset(generate(people=40, seed=11), tmp_path / "org40.xlsx")
    at = _data_page()
    at.file_uploader(key="upload").set_value([("org40.xlsx", good.read_bytes(), XLSX)]).run()

    def boom(*args: object, **kwargs: object) -> None:
        raise OutOfBoundsDatetime("Out of bounds nanosecond timestamp: 9999-12-31 00:00:00")

    monkeypatch.setattr(loader, "_build", boom)
    at.file_uploader(key="upload").set_value([("odd.xlsx", good.read_bytes(), XLSX)]).run()
    assert not at.exception
    assert len(at.session_state["dataset"].people) == 40  # nothing lost
    status, names, findings = at.session_state["last_report"]
    assert status == "failed" and names == "odd.xlsx"
    assert any("OutOfBoundsDatetime" in f.message and f.file == "odd.xlsx" for f in findings)
    assert any("odd.xlsx" in str(e.value).replace("\\", "") for e in at.error)


@pytest.mark.parametrize(
    ("stage", "error"),
    [("plan", RuntimeError("planner crashed")), ("parse_isolated", KeyError("xl/sharedStrings.xml"))],
)
def test_a_failure_at_any_stage_of_loading_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str, error: Exception
) -> None:
    """Issue 14: loading fails with a RuntimeError (the checks before parsing) or a KeyError (the
    parse): the Data page shows it as a finding naming the file, and the data loaded before stays."""
    from lib.intake import loader

    good = write_dataset(generate(people=40, seed=11), tmp_path / "org40.xlsx")
    at = _data_page()
    at.file_uploader(key="upload").set_value([("org40.xlsx", good.read_bytes(), XLSX)]).run()

    def boom(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(loader, stage, boom)
    at.file_uploader(key="upload").set_value([("odd.xlsx", good.read_bytes(), XLSX)]).run()
    assert not at.exception
    assert len(at.session_state["dataset"].people) == 40  # nothing lost
    status, names, findings = at.session_state["last_report"]
    assert status == "failed" and names == "odd.xlsx"
    assert any(type(error).__name__ in f.message and f.file == "odd.xlsx" for f in findings)
    assert any("odd.xlsx" in str(e.value).replace("\\", "") for e in at.error)


def test_out_of_range_date_upload_is_a_located_finding(tmp_path: Path) -> None:
    people = b"person_id,name\n1,Ada\n2,Ben\n"
    events = b"timestamp,source_id,channel\n2026-03-01,1,chat\n9999-12-31,2,chat\n"
    at = _data_page()
    at.file_uploader(key="upload").set_value(
        [("people.csv", people, "text/csv"), ("interactions.csv", events, "text/csv")]
    ).run()
    assert not at.exception
    status, _names, findings = at.session_state["last_report"]
    assert status == "failed"
    assert any(
        (f.severity, f.sheet, f.row, f.column) == ("error", "interactions", 3, "timestamp")
        and "out of range" in f.message
        for f in findings
    )
    assert at.session_state.get("dataset") is None or len(at.session_state["dataset"].people) != 2
