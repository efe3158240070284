"""Reports people take away: the Excel workbook, the PowerPoint deck, the HTML report, their
charts, and the workshop's what-if and slide plan.

May import: ``lib.core``, ``lib.analysis`` and ``lib.store``. Never ``lib.app``.
"""
