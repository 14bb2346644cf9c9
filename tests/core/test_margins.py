"""One margin, five stages: from the list price to what a lab keeps after its serving bill."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labecon_core import margins
from labecon_core.errors import ParameterError
from labecon_core.margins import MarginParams

share = st.floats(0, 0.95)


@given(cost=st.floats(0.01, 50), price=st.floats(1, 100), u=st.floats(0.05, 1), d=share, f=share, r=share)
def test_each_stage_lowers_the_margin_by_its_factor(cost, price, u, d, f, r):
    p = MarginParams(serving_cost_per_mtok=cost, list_price_per_mtok=price, fleet_utilization=u, discount_to_list=d,
                     free_token_share=f, research_compute_share=r)
    m = margins.margins(p)
    assert float(m.list) == pytest.approx(1 - cost / price)
    stages = list(m.stages().values())
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(stages)), "margins fall stage by stage"
    # Cost per revenue dollar multiplies stage by stage: the lab's is the list's over the product of the factors.
    assert 1 - float(m.lab) == pytest.approx((1 - float(m.list)) / (u * (1 - d) * (1 - f) * (1 - r)), rel=1e-9)
    for before, after, s in ((m.fleet, m.paid, d), (m.paid, m.served, f), (m.served, m.lab, r)):
        if float(before) < 1:
            assert float(margins.share_for_margin(before, after)) == pytest.approx(s, abs=1e-9)


def test_stages_with_nothing_to_take_leave_the_margin_alone():
    m = margins.margins(MarginParams(fleet_utilization=1, discount_to_list=0, free_token_share=0,
                                     research_compute_share=0))
    assert len({round(float(v), 12) for v in m.stages().values()}) == 1


def test_the_chain_through_a_reported_margin():
    p = margins.through_reported(MarginParams(), 0.72)
    assert float(margins.margins(p).paid) == pytest.approx(0.72)
    many = margins.through_reported(MarginParams(), np.array([0.6, 0.7, 0.8]))
    np.testing.assert_allclose(margins.margins(many).paid, [0.6, 0.7, 0.8])
    with pytest.raises(ParameterError, match=r"'reported_margin'.*at most"):
        margins.through_reported(MarginParams(), 0.99)


def test_the_chain_through_a_lab_margin():
    reported = margins.through_reported(MarginParams(), 0.72)
    p = margins.through_lab(reported, np.array([-0.14, 0.0, 0.2]))
    np.testing.assert_allclose(margins.margins(p).lab, [-0.14, 0.0, 0.2], atol=1e-12)
    with pytest.raises(ParameterError, match=r"'target_margin'.*at most the served one"):
        margins.through_lab(reported, 0.9)


@given(paid=st.floats(-1, 0.99), f=share, r=share)
def test_the_lab_margin_from_the_unpaid_share_is_the_chain_s(paid, f, r):
    p = MarginParams(free_token_share=f, research_compute_share=r)
    served_then_lab = 1 - (1 - paid) / (1 - f) / (1 - r)
    lab = float(margins.lab_margin(paid, margins.unpaid_share(p)))
    assert lab == pytest.approx(served_then_lab, rel=1e-9, abs=1e-9)
    assert float(margins.lab_margin(paid, 0.0)) == pytest.approx(paid)


def test_bad_parameters_are_named():
    with pytest.raises(ParameterError, match="'fleet_utilization'"):
        MarginParams(fleet_utilization=0)
    with pytest.raises(ParameterError, match="'free_token_share'"):
        MarginParams(free_token_share=1)
