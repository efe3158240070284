"""Reports people take away: the Excel workbook, the PowerPoint deck, the HTML report, their
charts, the network map's HTML and the workshop's slide plan.

May import: ``lib.core``, ``lib.analysis`` and ``lib.store``. Never ``lib.app``.
"""
