"""Reports people take away: the Excel workbook, the PowerPoint deck, the HTML report, their
charts, the network map's HTML and the workshop's slide plan; and ``definitions``, the registry of
every measure's definition that the pages, the exports, the deck and the CLI show.

May import: ``lib.core``, ``lib.analysis`` and ``lib.store``. Never ``lib.app``.
"""
