"""Reading data in: the workbook and CSV loader, the hardened spreadsheet parser (a child process
with limits), the template and survey kit, and the generated sample organisation
(``sample``; its story as data in ``sample_story``, its people in ``sample_org``).

May import: ``lib.core``. Never ``lib.analysis``, ``lib.store``, ``lib.report`` or ``lib.app``.
"""
