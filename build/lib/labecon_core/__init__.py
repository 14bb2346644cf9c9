"""labecon_core: the library a chapter imports.

Models (one module per topic: :mod:`~labecon_core.cohort`, :mod:`~labecon_core.compute`, …),
data access (:mod:`~labecon_core.data`, :mod:`~labecon_core.bib`), the chapters' validated
inputs (:mod:`labecon_core.inputs`) and the notebook helpers (:mod:`~labecon_core.record`,
:mod:`~labecon_core.fmt`, :mod:`~labecon_core.charts`). It never imports the book machinery
(:mod:`labecon_book`).
"""
