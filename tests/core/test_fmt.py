"""How numbers read in the prose."""

import pytest

from labecon_core import fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [(-8e8, "-$800M"), (1e10, "$10B"), (1.234e9, "$1.2B"), (2.5e12, "$2.5T"), (950, "$950"), (0, "$0"),
     (1.7, "$1.7"), (1.30, "$1.3")],
)
def test_usd(value, text):
    assert fmt.usd(value) == text


@pytest.mark.parametrize(("value", "text"), [(2, "2×"), (10.0, "10×"), (1.456, "1.46×"), (0.5, "0.5×")])
def test_multiple(value, text):
    assert fmt.multiple(value) == text


def test_usd_digits():
    assert fmt.usd(1e10, 0) == "$10B"
    assert fmt.usd(1.25e9, 2) == "$1.25B"


def test_pct_num_sci_year():
    assert fmt.pct(0.7) == "70%"
    assert fmt.pct(0.125, 1) == "12.5%"
    assert fmt.num(1234.5) == "1,234"
    assert fmt.num(0.3456) == "0.35"
    assert fmt.num(6.0) == "6" and fmt.num(1.5) == "1.5"
    assert fmt.sci(2.1e25) == "2.1×10²⁵" and fmt.sci(3e-5, 1) == "3×10⁻⁵"
    assert fmt.year(None) == "never" and fmt.year(2026.0) == "2026"


def test_record_converts_numpy_values_to_json():
    import numpy as np

    from labecon_core.record import to_json_value

    assert to_json_value(np.array(2.5)) == 2.5
    assert to_json_value(np.float64("nan")) is None
    assert to_json_value({"a": np.arange(3), 1: (np.int64(4),)}) == {"a": [0, 1, 2], "1": [4]}


def test_span_and_listing():
    assert fmt.span((3.5e9, 4.5e9)) == "$3.5B–$4.5B"
    assert fmt.span((0.7, 0.7), fmt.pct, " to ") == "70%"
    assert fmt.span((2, 3), fmt.multiple, " to ") == "2× to 3×"
    assert fmt.listing(["a"]) == "a"
    assert fmt.listing(iter(["a", "b", "c"])) == "a, b and c"


def test_words_for_amounts_durations_and_probabilities():
    assert fmt.dollars(1.3) == "$1.30" and fmt.dollars(-0.5) == "-$0.50" and fmt.dollars(1500) == "$1,500.00"
    assert fmt.dollars(-0.001) == "$0.00"
    assert fmt.millions(5.4989945e7) == "55 million" and fmt.millions(1.5e6, 2) == "1.5 million"
    assert fmt.billions(1.8e12, 4) == "1,800 billion" and fmt.billions(2.5e9) == "2.5 billion"
    assert fmt.months(12.0) == "12 months" and fmt.months(1) == "1 month" and fmt.months(6.5) == "6.5 months"
    assert fmt.probability(0.001) == "under 0.5%" and fmt.probability(0) == "0%" and fmt.probability(0.42) == "42%"
