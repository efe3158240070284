"""Hand-made collaboration-log fixtures, written by code: a small roster and one file per source,
each holding the cases one counting rule is about (see the comments on each message)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: p1…p5 with e-mails a@x.org…e@x.org; logs name people by e-mail (Slack, mail, meetings, xAPI)
#: or by person id (Viva Insights, our own table).
ROSTER = pd.DataFrame(
    {
        "person_id": ["p1", "p2", "p3", "p4", "p5"],
        "name": ["Ana", "Ben", "Cy", "Di", "Ed"],
        "email": ["a@x.org", "B@X.org", "c@x.org", "d@x.org", "e@x.org"],
        "department": ["Ops"] * 5,  # one group of five: large enough to show (k = 5)
    }
)
T0 = 1767610800.0  # 2026-01-05 11:00 UTC, a Monday


def _user(uid: str, email: str | None, **flags: object) -> dict[str, object]:
    profile = {"email": email} if email else {}
    return {"id": uid, "name": uid.lower(), "profile": profile, **flags}


def slack_export(tmp: Path) -> Path:
    """Expected ties (p1=U1, p2=U2, p3=U3): p2→p1 (reply), p3→p1 (reply, parent found by
    thread_ts), p2→p3 (mention + reaction = 2), p1→p3 (reaction). Not counted: the bot's
    message and reaction, the guest's mention, a self-mention, a channel join."""
    users = [
        _user("U1", "a@x.org"),
        _user("U2", "b@x.org"),
        _user("U3", "c@x.org"),
        _user("UB", None, is_bot=True),
        _user("UG", "g@guest.example", is_restricted=True),
    ]

    def ts(k: int) -> str:
        return f"{T0 + k:.6f}"

    day = [
        {"type": "message", "user": "U1", "text": "hello all", "ts": ts(0)},  # broadcast
        {
            "type": "message",
            "user": "U1",
            "text": "a question",
            "ts": ts(1),
            "thread_ts": ts(1),
            "reply_count": 2,
        },
        {
            "type": "message",
            "user": "U2",
            "text": "an answer",
            "ts": ts(2),
            "thread_ts": ts(1),
            "parent_user_id": "U1",
        },
        {"type": "message", "user": "U2", "text": "hey <@U3>, look", "ts": ts(3)},  # mention
        {
            "type": "message",
            "user": "U3",
            "text": "news",
            "ts": ts(4),
            "reactions": [{"name": "+1", "users": ["U1", "U2", "UB"], "count": 3}],
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B1",
            "text": "<@U1> build failed",
            "ts": ts(5),
        },
        {"type": "message", "user": "UG", "text": "hi <@U1|ana>", "ts": ts(6)},  # guest: not on the roster
        {"type": "message", "user": "U1", "text": "<@U1> note to self", "ts": ts(7)},  # self
        {
            "type": "message",
            "user": "U3",
            "text": "me too",
            "ts": ts(8),
            "thread_ts": ts(1),
        },  # parent via roots
        {"type": "message", "subtype": "channel_join", "user": "U3", "text": "joined", "ts": ts(9)},
    ]
    path = tmp / "slack.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Acme Slack export/users.json", json.dumps(users))
        zf.writestr("Acme Slack export/channels.json", json.dumps([{"id": "C1", "name": "general"}]))
        zf.writestr("Acme Slack export/general/2026-01-05.json", json.dumps(day))
    return path


def mbox(tmp: Path) -> Path:
    """Expected ties: p1→p2 and p1→p3 (the duplicate Cc counts once); the 30-recipient mail is a
    broadcast; the mail to an outsider has an unknown target; header-like body lines are not read."""
    many = ", ".join(f"person{i}@x.org" for i in range(29)) + ", a@x.org"
    text = (
        "From a@x.org Mon Jan  5 09:00:00 2026\n"
        "From: Ana <a@x.org>\nTo: Ben <b@x.org>\nCc: c@x.org, B@x.org\n"
        "Date: Mon, 05 Jan 2026 09:00:00 +0000\nSubject: plan\n\n"
        "Body text.\nTo: d@x.org\nCc: e@x.org\n\n"
        "From b@x.org Mon Jan  5 10:00:00 2026\n"
        f"From: b@x.org\nTo: {many}\nDate: Mon, 05 Jan 2026 10:00:00 +0000\nSubject: all hands\n\nhello\n\n"
        "From a@x.org Mon Jan  5 11:00:00 2026\n"
        "From: a@x.org\nTo: someone@outside.example\nDate: Mon, 05 Jan 2026 11:00:00 +0100\n\nhi\n"
    )
    path = tmp / "mail.mbox"
    path.write_text(text, encoding="utf-8")
    return path


def zoom(tmp: Path) -> Path:
    """Meeting 111: a, b, c and a phone dial-in → 6 ordered pairs; meeting 222: 30 attendees → broadcast."""
    rows = [
        "Meeting ID,Topic,Start Time,Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)",
        "111,Weekly,01/05/2026 10:00:00 AM,Ana,a@x.org,01/05/2026 10:00:00 AM,01/05/2026 11:00:00 AM,60",
        "111,Weekly,01/05/2026 10:00:00 AM,Ben,b@x.org,01/05/2026 10:01:00 AM,01/05/2026 11:00:00 AM,59",
        "111,Weekly,01/05/2026 10:00:00 AM,+1 555 010 0101,,01/05/2026 10:02:00 AM,01/05/2026 11:00:00 AM,58",
        "111,Weekly,01/05/2026 10:00:00 AM,Cy,c@x.org,01/05/2026 10:03:00 AM,01/05/2026 11:00:00 AM,57",
        "111,Weekly,01/05/2026 10:00:00 AM,Ana,a@x.org,01/05/2026 10:30:00 AM,01/05/2026 11:00:00 AM,30",
    ]
    rows += [
        f"222,All hands,01/06/2026 09:00:00 AM,P{i},{e},01/06/2026 09:00:00 AM,01/06/2026 10:00:00 AM,60"
        for i, e in enumerate(["d@x.org", "e@x.org", *(f"guest{k}@x.org" for k in range(28))])
    ]
    path = tmp / "zoom_participants.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def teams(tmp: Path) -> Path:
    """One meeting (UTF-16, tab-separated): d and e → 2 ordered pairs; a dial-in without identity."""
    lines = [
        "1. Summary",
        "Meeting title\tProject sync",
        "Attended participants\t3",
        "Start time\t1/7/26, 2:00:00 PM",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
        "Di\t1/7/26, 2:00:05 PM\t1/7/26, 2:30:00 PM\t30m\td@x.org\td@x.org\tOrganizer",
        "Ed\t1/7/26, 2:01:00 PM\t1/7/26, 2:30:00 PM\t29m\t\te@x.org\tPresenter",
        "+44 20 7946 0000\t1/7/26, 2:02:00 PM\t1/7/26, 2:30:00 PM\t28m\t\ttel:+442079460000\tAttendee",
        "",
        "3. In-Meeting Activities",
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole",
        "Ana\t1/7/26, 2:00:05 PM\t1/7/26, 2:30:00 PM\t30m\ta@x.org\tAttendee",
    ]
    path = tmp / "teams_attendance.csv"
    path.write_bytes("\n".join(lines).encode("utf-16"))
    return path


def xapi(tmp: Path) -> Path:
    """a: completed 1.5 h (and passed: not counted again); b: completed 2 h; c asked (s1), d
    answered it (StatementRef → d→c); e commented to a (Agent → e→a); b shared to nobody
    (broadcast); a viewed (skipped)."""
    verb = "http://adlnet.gov/expapi/verbs/"

    def st(actor: str, v: str, when: str, **extra: object) -> dict[str, object]:
        return {
            "actor": {"mbox": f"mailto:{actor}", "objectType": "Agent"},
            "verb": {"id": verb + v},
            "timestamp": when,
            "object": extra.pop("object", {"id": "http://lms.example/course/1", "objectType": "Activity"}),
            **extra,
        }

    statements = [
        st("a@x.org", "completed", "2026-01-05T12:00:00Z", result={"duration": "PT1H30M"}),
        st("a@x.org", "passed", "2026-01-05T12:00:00Z", result={"duration": "PT1H30M"}),
        st("b@x.org", "completed", "2026-01-06T12:00:00+01:00", result={"duration": "PT2H"}),
        st("c@x.org", "asked", "2026-01-06T13:00:00Z", id="s1"),
        st("d@x.org", "answered", "2026-01-06T14:00:00Z", object={"objectType": "StatementRef", "id": "s1"}),
        st(
            "e@x.org",
            "commented",
            "2026-01-06T15:00:00Z",
            object={"objectType": "Agent", "mbox": "mailto:a@x.org"},
        ),
        st("b@x.org", "shared", "2026-01-06T16:00:00Z", context={"platform": "Forum"}),
        st("a@x.org", "viewed", "2026-01-06T17:00:00Z"),
    ]
    path = tmp / "statements.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    return path


def lms(tmp: Path) -> Path:
    """c: 90 minutes, a: 30 minutes, an outsider: 60 minutes (not on the roster)."""
    path = tmp / "completions.csv"
    path.write_text(
        "User Email,Course Name,Completion Date,Duration (minutes)\n"
        "c@x.org,Safety,2026-01-08,90\na@x.org,Privacy,2026-01-09,30\nz@else.example,Safety,2026-01-09,60\n",
        encoding="utf-8",
    )
    return path


def viva(tmp: Path) -> tuple[Path, Path]:
    """Person-to-person: p4→p5 3 interactions (2 mails + 1 meeting) in one week; the person query:
    collaboration hours of p4 in two weeks of January."""
    pairs = tmp / "viva_p2p.csv"
    pairs.write_text(
        "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,MetricDate,Email_count,Meeting_count,"
        "Chat_count,PrimaryCollaborator_Organization\n"
        "p4,p5,1/5/2026,2,1,0,Sales\np5,p9,1/5/2026,4,0,0,Sales\n",
        encoding="utf-8",
    )
    person = tmp / "viva_person.csv"
    person.write_text(
        "PersonId,MetricDate,Collaboration_hours,Organization\np4,1/5/2026,12.5,Sales\np4,1/12/2026,10,Sales\n",
        encoding="utf-8",
    )
    return pairs, person


OWN_ROWS = pd.DataFrame(
    {
        "timestamp": [
            "2026-01-05 09:00:00",
            "2026-01-06 09:00:00",
            "2026-01-07 09:00:00",
            "2026-03-30 09:00:00",
            "2026-01-08 09:00:00",
            "2026-01-08 10:00:00",
            "not a date",
        ],
        "source_id": ["p1", "p1", "p1", "p1", "p2", "p3", "p1"],
        "target_id": ["p2", "p2", "p3", "p3", "", "N/A", "p2"],
        "channel": ["chat", "Email", "wiki", "wiki", "wiki", "chat", "chat"],
        "kind": ["message", "message", "comment", "comment", "edit", "post", "message"],
    }
)


def own_table(tmp: Path, fmt: str = "csv") -> Path:
    """Our interactions table: p1→p2 twice in the first 4-week window; p1→p3 once in January and
    once at the end of March; two broadcasts (blank and N/A targets); a row without a time."""
    path = tmp / f"interactions.{fmt}"
    if fmt == "csv":
        OWN_ROWS.to_csv(path, index=False)
    else:
        pq.write_table(pa.Table.from_pandas(OWN_ROWS, preserve_index=False), path)
    return path


def all_sources(tmp: Path) -> list[Path]:
    """Every fixture source, for engine comparisons and the CLI round trip."""
    pairs, person = viva(tmp)
    return [
        slack_export(tmp),
        mbox(tmp),
        zoom(tmp),
        teams(tmp),
        xapi(tmp),
        lms(tmp),
        pairs,
        person,
        own_table(tmp),
    ]
