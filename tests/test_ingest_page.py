"""The Data page's collaboration-logs block in AppTest: the counting rules are shown; log exports
uploaded next to a roster add the interactions ties and learning hours, with the read/skip report."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.intake.logs.ingest import COUNTING_RULES
from tests import ingest_fixtures as fx

ROOT = Path(__file__).resolve().parent.parent


def test_logs_next_to_a_roster(tmp_path: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    shown = "\n".join(str(m.value) for m in at.markdown).replace("\\", "")
    assert all(rule.split(":")[0] in shown for rule in COUNTING_RULES)
    assert "mail has at most --max-recipients recipients" in shown
    roster = fx.ROSTER.to_csv(index=False).encode()
    at.file_uploader(key="upload").set_value([("people.csv", roster, "text/csv")]).run()
    assert len(at.session_state["dataset"].people) == 5
    logs = [("mail.mbox", fx.mbox(tmp_path).read_bytes(), "application/mbox")]
    logs.append(("statements.jsonl", fx.xapi(tmp_path).read_bytes(), "application/json"))
    logs.append(("events.csv", fx.own_table(tmp_path).read_bytes(), "text/csv"))
    at.file_uploader(key="logs-upload").set_value(logs).run()
    at.button(key="logs-read").click().run()
    assert not at.exception
    ds = at.session_state["dataset"]
    ties = ds.ties[ds.ties["relation"] == "interactions"]
    # default rule (2 in 4 weeks): p1→p2 has the mail and two events of our table; p1→p3 too
    assert set(zip(ties["source_id"], ties["target_id"], strict=True)) == {("p1", "p2"), ("p1", "p3")}
    assert ds.learning.groupby("person_id")["hours"].sum().to_dict() == {"p1": 1.5, "p2": 2.0}
    report = "\n".join(str(c.value) for c in at.code)
    assert "mails over --max-recipients (25)" in report and "read 3 from" in report
    zipped = Path(at.session_state["logs_report"][3])  # the download: in this session's own folder
    assert zipped.is_file() and zipped.parent == Path(at.session_state["logs_tmp"])
    assert at.get("download_button")  # offered while the zip is there
