"""Neutralising user text on its way out: spreadsheet formulas (OWASP ASVS 1.2.10) and HTML."""

from __future__ import annotations

import html
import re

import pandas as pd

# Control characters XML 1.0 cannot hold (python-pptx and Excel reject them); tab, LF and CR stay.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: object) -> str:
    """Text safe for XML (pptx, xlsx, HTML): control characters other than tab/LF/CR removed."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe-free guard.

    A cell beginning with ``=``, ``+``, ``-``, ``@``, tab, CR or NUL is prefixed with a single
    quote so Excel, LibreOffice and Google Sheets show it as text. Numbers are left alone
    (``-3`` as a number is not text and cannot be a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
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
