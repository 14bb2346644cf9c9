"""Sourced figures that several chapters take as inputs, read once from the data tables."""

from labecon_core import data

#: How ``data/gross_margins`` names the margin labs report on their paid inference.
FIRST_PARTY = "inference gross margin (first-party)"


def first_party_margin() -> float:
    """The gross margin a lab reports on its own (first-party) paid inference, share of revenue.

    The paid stage of the margin model (:mod:`labecon_core.margins`): SemiAnalysis's figure for
    Anthropic, the one reported margin the sources give.
    """
    table = data.load("gross_margins").set_index("measure")
    return float(table.loc[FIRST_PARTY, "value"])
