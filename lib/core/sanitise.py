"""Neutralising user text on its way out, one function per destination: spreadsheets
(:func:`neutralise_formula`, OWASP ASVS 1.2.10), XML for pptx/xlsx/HTML (:func:`clean_text`), HTML
(:func:`escape`), Streamlit Markdown (:func:`markdown`) and matplotlib labels (:func:`chart_label`).
Every page, export and chart escapes through here."""

from __future__ import annotations

import html
import re

import pandas as pd

#: Control characters refused in one-line text a person typed (a pulse's free names): C0 and DEL.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: The same for text that may span lines (an action's description): tab, LF and CR allowed.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same for names that appear in menus and settings (workspaces, channels): C0, DEL, C1 and
#: the Unicode line and paragraph separators.
CONTROL_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# Control characters XML 1.0 cannot hold (python-pptx and Excel reject them); tab, LF and CR stay.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: object) -> str:
    """Text safe for XML (pptx, xlsx, HTML): control characters other than tab/LF/CR removed."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def formula_like(value: object) -> bool:
    """Whether a spreadsheet would run ``value`` as a formula: text beginning with ``=``, ``+``,
    ``-``, ``@``, tab, CR or NUL. Numbers never are (``-3`` as a number is not text)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    For CSV and other plain-text destinations, where a cell has no type: a cell beginning with
    ``=``, ``+``, ``-``, ``@``, tab, CR or NUL is prefixed with a single quote so Excel,
    LibreOffice and Google Sheets show it as text. Numbers are left alone. (The Excel workbook
    types its cells instead: :func:`formula_like` text is a string cell with a hidden quote prefix.)
    """
    if formula_like(value):
        return "'" + str(value)
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and header) neutralised."""
    out = df.copy()
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_formula)
    return out


def safe_csv(df: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM so Excel reads accents) with formulas neutralised."""
    return neutralise_frame(df).to_csv(index=False).encode("utf-8-sig")


def escape(text: object) -> str:
    """HTML-escape any user text (names, teams, topics) before it reaches HTML."""
    return html.escape("" if text is None else str(text), quote=True)


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def markdown(text: object) -> str:
    """User text for ``st.markdown``: every Markdown and HTML special character backslash-escaped,
    so no link, image, emphasis or tag can be injected."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def chart_label(value: object, limit: int = 38) -> str:
    """User text as a literal matplotlib label: control characters dropped, whitespace collapsed,
    shortened to ``limit`` characters with an ellipsis, and ``$`` and ``\\`` escaped (matplotlib
    would read ``$…$`` as mathtext)."""
    text = " ".join(clean_text(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("\\", "\\\\").replace("$", r"\$")


#: XlsxWriter options for every workbook we write: strings stay strings (never turned into formulas,
#: links or numbers), built in memory. Formula-like text is also written inert cell by cell.
XLSX_OPTIONS: dict[str, bool] = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
