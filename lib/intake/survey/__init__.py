"""Survey exports in as the survey tools give them: Microsoft Forms, Google Forms, Qualtrics and
SurveyMonkey, matched to the roster and turned into the data contract's sheets.

Modules, in the order the data goes through them:

``tools``      recognise the tool from the header signature and read its export (both header
               layouts, every variant, UTF-8 with BOM and UTF-16) into one :class:`Export` shape
``questions``  what each column means: the kit's own questions by wording or export tag, the
               facilitator's mapping (JSON), and answer coding (Likert labels, hours, shares)
``people``     the roster, respondents matched by id, e-mail or name, named colleagues matched by
               label, folded name, "Last, First" or fuzzy score; the rest go to review, never guessed
``convert``    the dataset tables, the review table and the report of what was dropped, and the
               workbook in the data contract

May import: ``lib.core`` and ``lib.intake``. Never ``lib.analysis``, ``lib.store``, ``lib.report``
or ``lib.app``.
"""
