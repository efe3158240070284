"""What an export is: who it is for (:class:`ExportOptions`), its tables (:class:`ExportTable`)
and everything the workbook, the deck and the HTML report show (:class:`Report`).

Kept apart from :mod:`lib.report.exports`, which builds a :class:`Report`, so that the charts
(:mod:`lib.report.charts`) can read one without importing the builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from lib.analysis import overview
from lib.core import privacy

__all__ = ["ExportOptions", "ExportTable", "Report", "View"]

View = Literal["aggregate", "named"]


@dataclass(frozen=True)
class ExportOptions:
    """Who the export is for. ``min_group_size`` may be raised, never lowered below 5."""

    view: View = "aggregate"
    min_group_size: int = privacy.MIN_GROUP_SIZE
    pseudonyms: bool = False
    wave: str | None = None  # None = the latest wave
    group_by: str = "department"  # the attribute group tables compare

    def __post_init__(self) -> None:
        if self.view not in ("aggregate", "named"):
            raise ValueError(f'view must be "aggregate" or "named", not {self.view!r}')
        object.__setattr__(self, "min_group_size", privacy.check_min_group_size(self.min_group_size))

    @property
    def individuals_visible(self) -> bool:
        return self.view == "named"


@dataclass(frozen=True)
class ExportTable:
    """One exported table: ``name`` is its sheet name (unique, at most 31 characters)."""

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    page: str = ""


@dataclass
class Report:
    """Everything the three exports show, computed once and already filtered for the view."""

    options: ExportOptions
    source: str
    wave: str
    people: int
    generated: str
    tables: list[ExportTable]
    definitions: pd.DataFrame
    head: overview.Headline | None = None
    notice: str = ""  # why statistics are missing (an organisation under the minimum size)
    group_by: str = ""
    map_note: str = ""
    images: dict[str, bytes] = field(default_factory=dict)  # PNG charts: network_map, learning_mix, …
    previous_wave: str = ""  # the wave before ``wave``, when there is one
    previous_shifts: dict[str, float] = field(default_factory=dict)  # shift code → its score then

    def table(self, name: str) -> pd.DataFrame:
        """The frame of table ``name`` (an empty frame when the export has no such table)."""
        for t in self.tables:
            if t.name == name:
                return t.frame
        return pd.DataFrame()

    @property
    def view_text(self) -> str:
        o = self.options
        if o.view == "aggregate":
            return (
                f"Aggregate view: no names or person ids; groups under {o.min_group_size} people are hidden."
            )
        return "Named view (facilitator): " + (
            "people appear under stable pseudonyms." if o.pseudonyms else "people appear by name."
        )
