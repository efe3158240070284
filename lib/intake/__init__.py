"""Reading data in: the workbook and CSV loader, the hardened spreadsheet parser (a child process
with limits), the template and survey kit, the generated sample organisation
(``sample``; its story as data in ``sample_story``, its people in ``sample_org``), ``survey``
(survey tools' exports) and ``logs`` (collaboration logs aggregated by DuckDB or Spark).

May import: ``lib.core``. Never ``lib.analysis``, ``lib.store``, ``lib.report`` or ``lib.app``.
"""
