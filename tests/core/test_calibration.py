"""Conditioning draws on reported figures: weights, effective sample size, weighted summaries."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labecon_core import calibration
from labecon_core.calibration import Target


def test_inside_every_interval_a_draw_keeps_its_weight_and_loses_it_with_distance():
    revenue = Target("revenue", 3.5e9, 4.5e9)
    loss = Target("loss", -1e9, 2e9, positive=False)
    out = {"revenue": np.array([4e9, 4.5e9 * 1.1, 4.5e9 * 1.3, 0.0]), "loss": np.array([0.0, 0.0, 0.0, 0.0])}
    w = calibration.weights(out, [revenue, loss], tolerance=0.1)
    assert w[0] == 1.0
    assert w[1] == pytest.approx(np.exp(-0.5 * (np.log(1.1) / 0.1) ** 2))
    assert 1 > w[1] > w[2] > 0 and w[3] == 0
    beyond = calibration.weights({"loss": np.array([2e9 + 0.2e9])}, [loss], tolerance=0.1)
    assert beyond[0] == pytest.approx(np.exp(-0.5))  # 0.2e9 beyond, on a scale of 2e9: d = 0.1 = tau


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_effective_sample_size_lies_between_one_and_the_number_of_draws(w):
    ess = calibration.effective_sample_size(w)
    if sum(w) > 0:
        assert 1 - 1e-9 <= ess <= len(w) + 1e-9
        assert calibration.effective_sample_size(np.full(len(w), 0.3)) == pytest.approx(len(w))
    else:
        assert ess == 0


def test_bad_targets_and_tolerances_are_refused():
    with pytest.raises(ValueError, match="low 5 above high 1"):
        Target("x", 5, 1)
    with pytest.raises(ValueError, match="low > 0"):
        Target("x", 0, 1)
    with pytest.raises(ValueError, match="calibration_tolerance"):
        calibration.weights({"x": np.ones(1)}, [Target("x", 1, 2)], 0)
    with pytest.raises(ValueError, match="calibration_tolerance"):
        calibration.Calibration([Target("x", 1, 2)], -1)


def test_a_calibration_weighs_like_its_targets():
    cal = calibration.Calibration([Target("x", 1, 2), Target("y", -1, 1, positive=False)], 0.2)
    out = {"x": np.array([1.5, 3.0]), "y": np.array([0.0, 1.5])}
    np.testing.assert_array_equal(cal.weights(out), calibration.weights(out, cal.targets, 0.2))


def test_draws_that_all_miss_alike_have_a_full_effective_sample_and_no_matches():
    far = Target("x", 1, 2)
    w = calibration.weights({"x": np.full(1000, 20.0)}, [far], 0.5)  # ln 10 beyond, 4.6 tolerances
    assert calibration.effective_sample_size(w) == pytest.approx(1000)
    assert calibration.matched_share(w) < 1e-4
    inside = calibration.weights({"x": np.full(1000, 1.5)}, [far], 0.5)
    assert calibration.matched_share(inside) == 1.0
