"""The chapters' inputs: one module per chapter, each with ``validate(**parameters)``.

A chapter's parameters are its model's parameters plus a few of its own (what a
section compares against, how finely a grid is drawn). ``validate`` checks all of them
and returns the validated records the chapter computes with. The ``labecon`` command
calls it before any kernel starts, and the chapter's first code cell calls it again, so
the notebook and the command check the same way. The notebook metadata names it:
``"validator": "labecon_core.inputs.cohort_accounting:validate"``.
"""
