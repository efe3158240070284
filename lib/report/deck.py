"""The PowerPoint deck: the slide plan (:func:`lib.report.workshop.slide_plan`, the one the Present
page shows: title, headline tiles, the learning mix, the five shifts, the group map, one slide per
finding with its evidence chart, trust, skills), then the named view's people, the room's pulse and
the workshop's agreed actions (when given) and an appendix of definitions. Every slide's speaker
notes and the appendix read the definitions registry (:mod:`lib.report.definitions`).

Charts are native PowerPoint charts (python-pptx ``add_chart``) drawn from the plan's
:class:`lib.report.chartspec.ChartSpec`, so a consultant can restyle and edit them; only the network
map is a picture (drawn by :mod:`lib.report.charts`). Every slide is laid out on a blank 16:9
layout with explicit text boxes: fonts are at least 12 pt (charts 16 pt) and each box's text is
sized from an estimate of its line count (:func:`fits`) so it stays inside the slide. Everything
shown comes from one :class:`lib.report.exports.Report`, already filtered for the view.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol, cast

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from lib.core.dataset import Dataset
from lib.core.sanitise import neutralise_formula
from lib.core.schema import LEARNING_TYPE_CODES
from lib.report import columns, workshop
from lib.report.chartspec import ChartSpec
from lib.report.exports import TITLE, ExportOptions, Report, build_report, clean_text, format_value

if TYPE_CHECKING:
    from lib.store.pulse import RoomPulse

__all__ = [
    "MIN_FONT_PT",
    "AgreedAction",
    "Para",
    "deck_bytes",
    "fits",
    "line_count",
    "short_definition",
    "tile_notes",
]

MIN_FONT_PT = 12
CHART_FONT_PT = 16  # the plan's charts: large enough for the back of a workshop room


def _rgb(hex_colour: str) -> RGBColor:
    colour: RGBColor = RGBColor.from_string(hex_colour.lstrip("#"))  # type: ignore[no-untyped-call]
    return colour


SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.6
BODY_TOP = 1.45
BODY_H = SLIDE_H - BODY_TOP - 0.75  # leaves room for the footer
FOOTER_TOP = SLIDE_H - 0.55
#: Average glyph width as a share of the font size (Calibri/Carlito ~0.48; kept generous).
GLYPH = 0.55
LINE = 1.2  # line height as a multiple of the font size
INK = _rgb("1F2D3D")
MUTED = _rgb("5B6B7B")
ACCENT = _rgb("0072B2")
TILE_FILL = _rgb("EEF3F8")
DEFINITION_CHARS = 320  # the appendix shows each definition's first paragraph, shortened to this


@dataclass(frozen=True)
class Para:
    text: str
    size: int = 16
    bold: bool = False
    colour: RGBColor = INK
    space_after: int = 6  # points


def line_count(text: str, size_pt: float, width_in: float) -> int:
    """Estimated lines ``text`` wraps to at ``size_pt`` in a box ``width_in`` inches wide.

    Greedy word wrap with ``width_in × 72 / (size_pt × GLYPH)`` characters per line; a word
    longer than a line breaks over several; each ``\n`` starts a new line; empty text is 1 line.
    """
    per_line = max(1, int(width_in * 72 / (size_pt * GLYPH)))
    lines = 0
    for part in text.split("\n"):
        lines += 1
        current = 0
        for word in part.split():
            if current and current + 1 + len(word) > per_line:
                lines += 1
                current = 0
            current += len(word) + (1 if current else 0)
            while current > per_line:
                lines += 1
                current -= per_line
    return lines


def _height_pt(paras: Sequence[Para], width_in: float) -> float:
    return sum(line_count(p.text, p.size, width_in) * p.size * LINE + p.space_after for p in paras)


def fits(paras: Sequence[Para], width_in: float, height_in: float) -> bool:
    """Whether ``paras`` fit a text box of this size (by :func:`line_count`, with 0.1 in of margins)."""
    return _height_pt(paras, width_in - 0.2) <= (height_in - 0.1) * 72


def _textbox(
    slide: Slide,
    x: float,
    y: float,
    w: float,
    h: float,
    paras: Sequence[Para],
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> None:
    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor
    for side in ("margin_left", "margin_right"):
        setattr(tf, side, Inches(0.1))
    tf.margin_top = tf.margin_bottom = Inches(0.05)
    for i, p in enumerate(paras):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.alignment = align
        para.space_after = Pt(p.space_after)
        run = para.add_run()
        run.text = clean_text(p.text)
        run.font.size = Pt(max(p.size, MIN_FONT_PT))
        run.font.bold = p.bold
        run.font.color.rgb = p.colour


def _shrink(paras: list[Para], w: float, h: float) -> list[Para]:
    """Smaller fonts (never under :data:`MIN_FONT_PT`) until the text fits; then shorten the last paragraph."""
    out = list(paras)
    while not fits(out, w, h) and any(p.size > MIN_FONT_PT for p in out):
        out = [Para(p.text, max(MIN_FONT_PT, p.size - 2), p.bold, p.colour, p.space_after) for p in out]
    while not fits(out, w, h) and out and len(out[-1].text) > 40:
        last = out[-1]
        out[-1] = Para(
            last.text[: int(len(last.text) * 0.85)].rsplit(" ", 1)[0] + " …",
            last.size,
            last.bold,
            last.colour,
            last.space_after,
        )
    return out


def _slide(prs: Deck, report: Report, title: str, subtitle: str = "") -> Slide:
    slide = cast(Slide, prs.slides.add_slide(prs.slide_layouts[6]))  # blank
    paras = [Para(title, 28, True, INK, 2)]
    if subtitle:
        paras.append(Para(subtitle, 14, False, MUTED, 0))
    paras = _shrink(paras, SLIDE_W - 2 * MARGIN, BODY_TOP - 0.3)
    _textbox(slide, MARGIN, 0.3, SLIDE_W - 2 * MARGIN, BODY_TOP - 0.3, paras)
    footer = f"{TITLE} · {report.source} · wave {report.wave or 'all data'} · {report.options.view} view"
    _textbox(slide, MARGIN, FOOTER_TOP, SLIDE_W - 2 * MARGIN, 0.4, [Para(footer[:150], 12, False, MUTED, 0)])
    return slide


def _chart_label(value: object, limit: int = 40) -> str:
    # Category names land in the chart's embedded workbook: guard formula prefixes there too.
    text = " ".join(clean_text(value).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return str(neutralise_formula(text))


def _number(v: object) -> float | None:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _top_down(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    colours: Sequence[RGBColor] | None,
) -> tuple[list[str], list[tuple[str, list[float | None]]], list[RGBColor] | None]:
    """A side-by-side bar chart's data in plotting order, so it reads top-down in the given order.

    Horizontal bars are plotted bottom-up: the first category at the bottom and, in each cluster,
    the first series at the bottom. Reversing the category axis instead would put the first series
    at the top, but LibreOffice still lists a bar chart's legend bottom-up (PowerPoint follows the
    bars), so the legend would read backwards there. With categories and series both reversed on a
    normal axis, the bars, and the legend in both programs, read in the given order."""
    return (
        list(reversed(categories)),
        [(name, list(reversed(values))) for name, values in reversed(series)],
        list(reversed(colours)) if colours else None,
    )


def _chart(
    slide: Slide,
    kind: XL_CHART_TYPE,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    number_format: str,
    scale: tuple[float, float] | None = None,
    box: tuple[float, float, float, float] = (MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, BODY_H),
    colours: Sequence[RGBColor] | None = None,
    size: int = MIN_FONT_PT,
) -> None:
    if kind == XL_CHART_TYPE.BAR_CLUSTERED:
        categories, series, colours = _top_down(categories, series, colours)
    data: Any = CategoryChartData(number_format=number_format)  # type: ignore[no-untyped-call]
    data.categories = [_chart_label(c) for c in categories]
    for name, values in series:
        data.add_series(_chart_label(name), [_number(v) for v in values])
    x, y, w, h = box
    # python-pptx annotates add_chart as returning a Chart; it returns the GraphicFrame holding it
    frame: Any = slide.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h), data)
    chart = frame.chart
    chart.font.size = Pt(size)
    chart.has_title = False  # the slide title says what the chart shows
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(size)
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.tick_labels.font.size = Pt(size)
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    if scale:
        axis.minimum_scale, axis.maximum_scale = scale
    chart.category_axis.tick_labels.font.size = Pt(size)
    if kind == XL_CHART_TYPE.BAR_STACKED:
        chart.category_axis.reverse_order = True  # first category at the top, as in a table
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = number_format
    labels.number_format_is_linked = False
    labels.font.size = Pt(size)
    if colours:
        for s, colour in zip(plot.series, colours, strict=False):
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = colour


# --- slides ---------------------------------------------------------------------------------------


def _title_slide(prs: Deck, report: Report) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _textbox(slide, MARGIN, 1.6, SLIDE_W - 2 * MARGIN, 1.2, [Para(TITLE, 40, True, INK)])
    lines = [
        Para(f"Data: {report.source}", 20, False, INK),
        Para(f"Wave: {report.wave or 'all data'} · {format_value(report.people)} people", 20, False, INK),
        Para(report.view_text, 16, False, MUTED),
        Para(
            "Harold Jarche's framework for social learning in the enterprise, in numbers. "
            f"Generated {report.generated}.",
            16,
            False,
            MUTED,
        ),
    ]
    _textbox(slide, MARGIN, 3.0, SLIDE_W - 2 * MARGIN, 3.6, _shrink(lines, SLIDE_W - 2 * MARGIN, 3.6))
    _notes(slide, workshop.notes_for(workshop.NOTE_KEYS["title"]))


def _notice_slide(prs: Deck, report: Report) -> None:
    slide = _slide(prs, report, "Nothing to show in this view")
    _textbox(slide, MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, 2.0, [Para(report.notice, 20)])


def _tiles_slide(prs: Deck, report: Report) -> None:
    head = report.head
    if head is None:
        return
    slide = _slide(
        prs,
        report,
        "Headline measures",
        f"Wave {head.wave or 'all data'}; change against the previous wave where there is one.",
    )
    cols, gap = 3, 0.25
    rows = math.ceil(len(head.tiles) / cols)
    w = (SLIDE_W - 2 * MARGIN - gap * (cols - 1)) / cols
    h = (BODY_H - gap * (rows - 1)) / max(rows, 1)
    for i, tile in enumerate(head.tiles):
        x = MARGIN + (i % cols) * (w + gap)
        y = BODY_TOP + (i // cols) * (h + gap)
        shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(h)
        )  # rectangle
        shape.fill.solid()
        shape.fill.fore_color.rgb = TILE_FILL
        shape.line.fill.background()
        value_size = 30 if len(tile.text) <= 10 else 20 if len(tile.text) <= 28 else 16
        paras = [Para(tile.label, 14, True, MUTED, 2), Para(tile.text, value_size, True, ACCENT, 2)]
        if tile.change_text:
            paras.append(Para(f"{tile.change_text} since the previous wave", 12, False, MUTED, 0))
        _textbox(slide, x + 0.05, y + 0.05, w - 0.1, h - 0.1, _shrink(paras, w - 0.1, h - 0.1))
    _notes(slide, tile_notes(report))


def tile_notes(report: Report) -> str:
    """The headline slide's speaker notes (:func:`lib.report.workshop.tile_notes`)."""
    return workshop.tile_notes(report)


def _notes(slide: Slide, text: str) -> None:
    notes = slide.notes_slide.notes_text_frame
    if notes is not None and text:
        notes.text = text


def _chart_type(spec: ChartSpec) -> XL_CHART_TYPE:
    if spec.stacked:
        return XL_CHART_TYPE.BAR_STACKED if spec.horizontal else XL_CHART_TYPE.COLUMN_STACKED
    return XL_CHART_TYPE.BAR_CLUSTERED if spec.horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED


def _spec_chart(
    slide: Slide, report: Report, spec: ChartSpec, box: tuple[float, float, float, float]
) -> None:
    """Draw ``spec`` in ``box`` (x, y, w, h inches): a native chart, or its picture (the group map)."""
    x, y, w, h = box
    if spec.image:
        png = report.images.get(spec.image)
        if not png:
            return
        pic = slide.shapes.add_picture(io.BytesIO(png), Inches(x), Inches(y), height=Inches(h))
        if pic.width > Inches(w):  # keep the aspect ratio, fit the width
            pic.height = Emu(int(pic.height * Inches(w) / pic.width))
            pic.width = Inches(w)
        pic.left = Emu(int(Inches(x) + (Inches(w) - pic.width) / 2))
        return
    _chart(
        slide,
        _chart_type(spec),
        spec.categories,
        [(s.name, s.values) for s in spec.series],
        spec.number_format,
        spec.scale,
        box=box,
        colours=[_rgb(s.colour) for s in spec.series],
        size=CHART_FONT_PT,
    )


def _plan_slide(prs: Deck, report: Report, spec: workshop.SlideSpec) -> None:
    """A chart slide of the plan: the title and key sentence above, the chart below (a finding: its
    sentence and the framework's suggestion on the left, its evidence chart on the right)."""
    w = SLIDE_W - 2 * MARGIN
    if spec.kind == "finding":
        f = report.head.findings[spec.index] if report.head else None
        sub = f"{f.strength.capitalize()} · look deeper on the {f.page} page" if f else ""
        slide = _slide(prs, report, spec.title, sub)
        text_w = w * 0.42
        paras = [
            Para(spec.subtitle, 24, True, INK, 14),
            Para("What the framework suggests", 16, True, ACCENT, 4),
            Para(spec.detail, 18, False, INK, 0),
        ]
        _textbox(slide, MARGIN, BODY_TOP, text_w, BODY_H, _shrink(paras, text_w, BODY_H))
        chart_box = (MARGIN + text_w + 0.2, BODY_TOP, w - text_w - 0.2, BODY_H)
    else:
        slide = _slide(prs, report, spec.title, spec.subtitle)
        chart_box = (MARGIN, BODY_TOP, w, BODY_H - (0.6 if spec.detail else 0))
        if spec.detail:
            _textbox(
                slide,
                MARGIN,
                BODY_TOP + BODY_H - 0.55,
                w,
                0.55,
                _shrink([Para(spec.detail, 12, False, MUTED, 0)], w, 0.55),
            )
    if spec.chart is not None:
        _spec_chart(slide, report, spec.chart, chart_box)
    _notes(slide, spec.notes)


def _people_slide(prs: Deck, report: Report) -> None:
    """Named view only: the people the advice network leans on most."""
    people = report.table("people")
    if not report.options.individuals_visible or not len(people) or "in_degree" not in people:
        return
    top = people.sort_values("in_degree", ascending=False, kind="stable").head(10)
    cols = [
        c for c in ("person", "department", "team", "in_degree", "betweenness", "network_role") if c in top
    ]
    slide = _slide(
        prs, report, "People the network leans on", "Named view: the ten people named most often (in-degree)."
    )
    table = slide.shapes.add_table(
        len(top) + 1,
        len(cols),
        Inches(MARGIN),
        Inches(BODY_TOP),
        Inches(SLIDE_W - 2 * MARGIN),
        Inches(0.4 * (len(top) + 1)),
    ).table
    weights = {
        "person": 2.4,
        "department": 1.9,
        "team": 1.9,
        "in_degree": 1.1,
        "betweenness": 1.2,
        "network_role": 3.6,
    }
    scale = (SLIDE_W - 2 * MARGIN) / sum(weights[c] for c in cols)
    for j, c in enumerate(cols):
        table.columns[j].width = Inches(weights[c] * scale)
        table.cell(0, j).text = columns.label(c)
    for i, (_, row) in enumerate(top.iterrows(), start=1):
        for j, c in enumerate(cols):
            table.cell(i, j).text = clean_text(format_value(row[c]))[:60]
    for cell_row in table.rows:
        for cell in cell_row.cells:
            for para in cell.text_frame.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(12)


class AgreedAction(Protocol):
    """What the deck needs of an agreed action (:class:`lib.store.actions.ActionItem` has it)."""

    @property
    def title(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def due_on(self) -> date | None: ...
    @property
    def status(self) -> str: ...
    @property
    def notes(self) -> str: ...


#: Agreed-actions table: column → (heading, width in inches, most characters shown).
ACTION_COLUMNS: dict[str, tuple[str, float, int]] = {
    "title": ("Action", 4.6, 300),
    "owner": ("Owner", 2.0, 80),
    "due_on": ("Due", 1.3, 10),
    "status": ("Status", 1.0, 10),
    "notes": ("Notes", 3.23, 300),
}
ACTION_FONT_PT = 14


def _action_cells(action: AgreedAction) -> list[str]:
    out = []
    for key, (_head, _w, limit) in ACTION_COLUMNS.items():
        value = getattr(action, key)
        text = value.isoformat() if isinstance(value, date) else clean_text(value or "")
        text = " ".join(text.split())
        out.append(text if len(text) <= limit else text[: limit - 1] + "…")
    return out


def _row_height_in(cells: Sequence[str]) -> float:
    lines = max(
        line_count(c or " ", ACTION_FONT_PT, w - 0.2)
        for c, (_h, w, _l) in zip(cells, ACTION_COLUMNS.values(), strict=True)
    )
    return lines * ACTION_FONT_PT * LINE / 72 + 0.12  # + the cell's top and bottom margins


def _actions_slides(prs: Deck, report: Report, actions: Sequence[AgreedAction]) -> None:
    """The workshop's agreed actions as a table, as many slides as the rows need."""
    if not actions:
        return
    rows = [_action_cells(a) for a in actions]
    header_h = _row_height_in([h for h, _w, _l in ACTION_COLUMNS.values()])
    pages: list[list[list[str]]] = [[]]
    used = header_h
    for cells in rows:
        h = _row_height_in(cells)
        if pages[-1] and used + h > BODY_H:
            pages.append([])
            used = header_h
        pages[-1].append(cells)
        used += h
    done = sum(1 for a in actions if a.status == "done")
    for i, page in enumerate(pages, start=1):
        part = f" ({i} of {len(pages)})" if len(pages) > 1 else ""
        slide = _slide(
            prs,
            report,
            f"Agreed actions{part}",
            f"{len(actions)} action{'s' if len(actions) != 1 else ''} agreed in the workshop, {done} done.",
        )
        heights = [header_h] + [_row_height_in(c) for c in page]
        shape = slide.shapes.add_table(
            len(page) + 1,
            len(ACTION_COLUMNS),
            Inches(MARGIN),
            Inches(BODY_TOP),
            Inches(SLIDE_W - 2 * MARGIN),
            Inches(sum(heights)),
        )
        table = shape.table
        for j, (head, width, _limit) in enumerate(ACTION_COLUMNS.values()):
            table.columns[j].width = Inches(width)
            table.cell(0, j).text = head
        for r, h in enumerate(heights):
            table.rows[r].height = Inches(h)
        for r, cells in enumerate(page, start=1):
            for j, text in enumerate(cells):
                table.cell(r, j).text = text
        for cell_row in table.rows:
            for cell in cell_row.cells:
                cell.text_frame.word_wrap = True
                for para in cell.text_frame.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(ACTION_FONT_PT)


def _pulse_slide(prs: Deck, report: Report, room: RoomPulse | None) -> None:
    """The room's pulse (:func:`lib.store.pulse.room_pulse`): its learning-type shares next to the
    organisation's latest uploaded wave, and the mean of each trust statement. Aggregates only (who
    named whom is never shown); below the minimum group size the slide says the averages are withheld."""
    if room is None:
        return
    # the figures are the live view's snapshot (lib.store.pulse); the count is the people they cover
    n = room.summary.answers if room.summary.hidden else room.summary.shown_answers
    when = room.opened_at.date().isoformat()
    sub = f"{n} participant{'s' if n != 1 else ''} answered the pulse{f' “{room.title}”' if room.title else ''} on {when}."
    if n < room.summary.answers:
        sub += f" {room.summary.answers} have answered so far; the figures update in batches."
    slide = _slide(prs, report, "The room's pulse", sub)
    w = SLIDE_W - 2 * MARGIN
    if room.summary.hidden:
        text = (
            f"Averages are withheld: fewer than {room.min_group_size} people answered (the minimum group "
            "size), and a mix of two or three people gives their answers away."
        )
        _textbox(slide, MARGIN, BODY_TOP, w, 1.5, [Para(text, 20)])
        return
    shares = dict(zip(room.summary.hours["learning_type"], room.summary.hours["share"], strict=True))
    series: list[tuple[str, Sequence[float | None]]] = [
        ("The room", [_number(shares.get(code)) for code in LEARNING_TYPE_CODES])
    ]
    table = room.comparison.table
    if not room.comparison.hidden and len(table):
        org = dict(zip(table["learning_type"], table["organisation"], strict=True))
        label = f"The organisation ({room.comparison.wave})" if room.comparison.wave else "The organisation"
        series.append((label, [_number(org.get(code)) for code in LEARNING_TYPE_CODES]))
    chart_w = w * 0.58
    _chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        list(LEARNING_TYPE_CODES),
        series,
        "0%",
        (0.0, 1.0),
        box=(MARGIN, BODY_TOP, chart_w, BODY_H - 0.6),
        colours=[ACCENT, MUTED],
    )
    note = "Share of reported learning hours per type (IOL, GDL, PDL, ASL, FSL)."
    if room.comparison.hidden:
        note += f" {room.comparison.note}"
    _textbox(slide, MARGIN, BODY_TOP + BODY_H - 0.55, chart_w, 0.55, [Para(note, 12, False, MUTED, 0)])
    side_x, side_w = MARGIN + chart_w + 0.3, w - chart_w - 0.3
    paras = [Para("Trust statements (mean, 1–5)", 16, True, ACCENT, 6)]
    trust = room.summary.trust
    for wording, mean in zip(trust["wording"], trust["mean"], strict=True):
        value = _number(mean)
        if value is not None:  # half up, as the Live pulse page shows it (34 / 8 = 4.25 → 4.3)
            shown = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            paras.append(Para(f"{shown}  {clean_text(wording)}", 14, False, INK, 8))
    if len(paras) == 1:
        paras.append(Para("No trust statement was answered.", 14, False, MUTED, 0))
    _textbox(slide, side_x, BODY_TOP, side_w, BODY_H, _shrink(paras, side_w, BODY_H))


def short_definition(text: str) -> str:
    """A definition as the deck's appendix shows it: its first paragraph, cut at :data:`DEFINITION_CHARS`."""
    first = text.split("\n", 1)[0]
    if len(first) <= DEFINITION_CHARS:
        return first
    return first[:DEFINITION_CHARS].rsplit(" ", 1)[0] + " …"


def _appendix_slides(prs: Deck, report: Report) -> None:
    defs = report.definitions
    w = SLIDE_W - 2 * MARGIN
    pages: list[list[Para]] = [[]]
    area = ""
    for row in defs.itertuples(index=False):
        entry = [Para(f"{row.measure}: {short_definition(str(row.definition))}", 12, False, INK, 3)]
        if row.area != area:
            entry.insert(0, Para(str(row.area), 14, True, ACCENT, 2))
        if pages[-1] and not fits(pages[-1] + entry, w, BODY_H):
            pages.append([])
            if not entry[0].bold:
                entry.insert(0, Para(f"{row.area} (continued)", 14, True, ACCENT, 2))
        pages[-1].extend(entry)
        area = str(row.area)
    for i, page in enumerate(pages, start=1):
        slide = _slide(
            prs,
            report,
            f"Appendix: definitions ({i} of {len(pages)})",
            "Each measure's formula, source and variant; the workbook has the full text.",
        )
        _textbox(slide, MARGIN, BODY_TOP, w, BODY_H, page)


def deck_bytes(
    ds: Dataset,
    options: ExportOptions | None = None,
    report: Report | None = None,
    actions: Sequence[AgreedAction] | None = None,
    room: RoomPulse | None = None,
) -> bytes:
    """The PowerPoint deck for ``options`` (default: aggregate view), as .pptx bytes.

    ``actions``: a workshop's agreed actions (:func:`lib.store.actions.list_actions`), shown on
    "Agreed actions" slides before the appendix; None or empty adds no slide. ``room``: the
    workshop's pulse (:func:`lib.store.pulse.room_pulse`), one slide before the actions; None adds none.
    """
    rep = report or build_report(ds, options)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = TITLE
    prs.core_properties.author = ""
    draw = {"title": _title_slide, "notice": _notice_slide, "tiles": _tiles_slide}
    for spec in workshop.slide_plan(rep):  # the Present page shows the same plan
        if spec.kind in draw:
            draw[spec.kind](prs, rep)
        else:
            _plan_slide(prs, rep, spec)
    if not rep.notice:
        _people_slide(prs, rep)
    _pulse_slide(prs, rep, room)
    _actions_slides(prs, rep, actions or ())
    _appendix_slides(prs, rep)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
