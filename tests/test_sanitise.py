"""The one escaping module: each destination's function on hostile text (issue 13: one idea, one place)."""

from __future__ import annotations

import pytest

from lib.core import sanitise


@pytest.mark.parametrize(
    "fn, text, expected",
    [
        (sanitise.escape, '<img src=x onerror="a">', "&lt;img src=x onerror=&quot;a&quot;&gt;"),
        (sanitise.escape, None, ""),
        (sanitise.markdown, "[click](javascript:x)", "\\[click\\]\\(javascript\\:x\\)"),
        (sanitise.markdown, "**bold** <b>", "\\*\\*bold\\*\\* \\<b\\>"),
        (sanitise.clean_text, "a\x00b\x1fc\td\n", "abc\td\n"),
        (sanitise.chart_label, "cost $5 and $6", "cost \\$5 and \\$6"),
        (sanitise.chart_label, "a\\b", "a\\\\b"),
        (sanitise.chart_label, "x" * 50, "x" * 37 + "…"),
        (sanitise.neutralise_formula, "=HYPERLINK(1)", "'=HYPERLINK(1)"),
        (sanitise.neutralise_formula, -3, -3),
    ],
)
def test_each_destination_escapes_what_it_must(fn: object, text: object, expected: object) -> None:
    assert fn(text) == expected  # type: ignore[operator]


@pytest.mark.parametrize(
    "pattern, refused, allowed",
    [
        (sanitise.CONTROL, ["a\tb", "a\nb", "a\x7fb"], ["a b", "é"]),
        (sanitise.CONTROL_IN_TEXT, ["a\x00b", "a\x1bb"], ["a\tb", "line\nline", "a\rb"]),
        (sanitise.CONTROL_IN_NAME, ["a\x85b", "a\u2028b", "a\nb"], ["Acme Ltd", "Zürich"]),
    ],
)
def test_control_character_patterns(pattern: object, refused: list[str], allowed: list[str]) -> None:
    assert all(pattern.search(t) for t in refused)  # type: ignore[attr-defined]
    assert not any(pattern.search(t) for t in allowed)  # type: ignore[attr-defined]
