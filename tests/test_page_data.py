"""The Data page in AppTest: a good upload replaces the data; a bad one is reported and changes nothing."""

from __future__ import annotations

from pathlib import Path

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
