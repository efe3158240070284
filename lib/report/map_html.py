"""The interactive network map as HTML: vis-network 9.1.2 through pyvis, in-lined and offline.

Draws a :class:`lib.analysis.netmap.NetworkMap` (the map's data: nodes, edges, legend, computed
in the analysis layer) as one self-contained page for ``st.iframe``. No request leaves the
machine (:func:`external_urls` finds any that would), and every label is escaped.

Safety: names, groups and ids are user data. Node labels are drawn on a canvas and tooltips are
plain strings that vis-network 9.1.2 shows with ``innerText`` (its ``Popup.setText``), so neither
is ever parsed as HTML and a name like ``<img src=x onerror=alert(1)>`` shows as that text. pyvis
would switch tooltips to an ``innerHTML`` popup when any title contains ``href``:
:func:`render_html` renders pyvis's template itself with that switch (and the unescaped
``heading``) off. The data reach the page through Jinja's ``tojson`` (``<``, ``>``, ``&`` and
``'`` become ``\\u003c`` …), so no ``</script>`` break-out; the legend, the only HTML built from
user text, is escaped with :func:`lib.core.sanitise.escape`. Node ids are opaque (``p0``, ``g0``), so
pseudonyms and the aggregate view do not leak real ids into the page source.
"""

from __future__ import annotations

import re
from typing import Any

from pyvis.network import Network

from lib.analysis.netmap import PALETTE, PHYSICS_LIMIT, MapEdge, MapNode, NetworkMap, pretty
from lib.core.sanitise import escape

__all__ = ["SHAPES", "external_urls", "render_html", "shape_of"]

#: vis-network node shape → the legend's glyph for it. The palette's colours take these shapes in
#: turn, so no two legend entries share colour and shape, and a reader who cannot tell the colours
#: apart (colour-blind, or a greyscale print) still tells the groups apart by shape.
SHAPES: dict[str, str] = {
    "dot": "●",
    "square": "■",
    "triangle": "▲",
    "diamond": "◆",
    "star": "★",
    "triangleDown": "▼",
}
_SHAPE_OF_COLOUR = {c.lower(): list(SHAPES)[i % len(SHAPES)] for i, c in enumerate(PALETTE)}


def shape_of(colour: str) -> str:
    """The node shape that goes with a palette colour ("dot" for grey "Other", blanks and any other)."""
    return _SHAPE_OF_COLOUR.get(colour.lower(), "dot")


_CDN_TAG = re.compile(
    r"<(link|script)\b[^>]*\bcdn\.jsdelivr\.net[^>]*>(\s*</script>)?", re.IGNORECASE | re.DOTALL
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", re.IGNORECASE)
_STOP_PHYSICS = (
    'network.once("stabilizationIterationsDone", function () {'
    " network.setOptions({physics: {enabled: false}}); });\n"
)


def external_urls(html: str) -> list[str]:
    """Every URL in a ``src=`` or ``href=`` attribute that a browser would fetch from another host."""
    return _URL_ATTRIBUTE.findall(html)


def _options(m: NetworkMap) -> dict[str, Any]:
    big = len(m.nodes) > PHYSICS_LIMIT
    return {
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 12 if m.kind == "people" else 16},
            # big maps: names appear when zoomed in (12 px × zoom ≥ 9 px), not as a grey smear
            "scaling": {"label": {"drawThreshold": 9 if big else 5}},
        },
        "edges": {
            "smooth": False,
            "color": {"color": "#9A9A9A", "highlight": "#333333", "hover": "#333333", "opacity": 0.45},
            "arrows": {"to": {"enabled": m.directed, "scaleFactor": 0.35}},
        },
        "physics": {
            "enabled": m.physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 200, "updateInterval": 25, "fit": True},
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": True,
        },
    }


def _legend_html(m: NetworkMap) -> str:
    items = "".join(
        f'<div><span aria-hidden="true" style="display:inline-block;width:14px;margin-right:4px;'
        f'color:{e.colour};text-shadow:0 0 1px #333">{SHAPES[shape_of(e.colour)]}</span>'
        f'{escape(e.label)} <span style="color:#595959">({e.count:,})</span></div>'
        for e in m.legend
    )
    head = f"<b>Colour: {escape(pretty(m.colour_by))}</b>" if m.colour_by else ""
    size = (
        f'<div style="margin-top:4px;color:#555">Size: {escape(pretty(m.size_by))}</div>' if m.size_by else ""
    )
    return (
        '<div id="legend" style="position:absolute;top:8px;left:8px;z-index:10;max-height:300px;max-width:40%;overflow:auto;'
        "background:#ffffff;border:1px solid #ddd;border-radius:4px;padding:6px 8px;"
        f'font:12px sans-serif">{head}{items}{size}</div>'
    )


def render_html(m: NetworkMap, height: int = 650) -> str:
    """A self-contained HTML page drawing ``m`` with vis-network 9.1.2 (in-lined, fully offline).

    Built with pyvis's template (``cdn_resources="in_line"``), node and edge lists filled
    directly (pyvis's ``add_node``/``add_edge`` are quadratic), then: the Bootstrap CDN tags and
    the empty heading removed, physics switched off once stabilised (so the layout stops), and
    an escaped legend added. Never writes a file (``write_html``/``show`` would copy assets
    into ``./lib/``).
    """
    net = Network(height=f"{int(height)}px", width="100%", directed=m.directed, cdn_resources="in_line")
    net.nodes = [_node_dict(n) for n in m.nodes]
    net.edges = [_edge_dict(e, m.directed) for e in m.edges]
    net.node_ids = [n.id for n in m.nodes]
    net.options = _options(m)
    nodes, edges, _heading, h, w, options = net.get_network_data()
    template = net.templateEnv.get_template(net.path)
    # pyvis's own generate_html() turns on an innerHTML tooltip when a title contains "href" and
    # prints `heading` unescaped: render its template with both off.
    html: str = template.render(
        height=h,
        width=w,
        nodes=nodes,
        edges=edges,
        heading="",
        options=options,
        physics_enabled=m.physics,
        use_DOT=False,
        dot_lang="",
        widget=False,
        bgcolor="#ffffff",
        conf=False,
        tooltip_link=False,
        neighborhood_highlight=False,
        select_menu=False,
        filter_menu=False,
        notebook=False,
        cdn_resources="in_line",
    )
    html = _CDN_TAG.sub("", html)
    html = _EMPTY_HEADING.sub("", html)
    html = html.replace("return network;", _STOP_PHYSICS + "return network;", 1)
    html = html.replace(
        '<div class="card" style="width: 100%">', '<div class="card" style="width:100%;position:relative">', 1
    )
    html = html.replace(
        '<div id="mynetwork" class="card-body"></div>',
        '<div id="mynetwork" class="card-body"></div>' + _legend_html(m),
        1,
    )
    html = html.replace("<body>", '<body style="margin:0">', 1)
    return html


def _node_dict(n: MapNode) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": n.id,
        "label": n.label,
        "title": n.title,
        "color": n.colour,
        "size": round(float(n.size), 2),
        "shape": shape_of(n.colour),
    }
    if n.x is not None and n.y is not None:
        d["x"] = round(float(n.x), 1)
        d["y"] = round(float(n.y), 1)
    return d


def _edge_dict(e: MapEdge, directed: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"from": e.source, "to": e.target, "width": round(float(e.width), 2)}
    if e.title:
        d["title"] = e.title
    if directed:
        d["arrows"] = "to"
    return d
