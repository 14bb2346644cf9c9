"""Conditioning Monte Carlo draws on reported figures: approximate Bayesian computation with a soft kernel.

The draws of a model's inputs are its prior. Each draw also produces the figures a source
reports (a lab's revenue, loss, training and serving spend in a year). A draw whose figures
fall inside every reported interval keeps weight 1; one outside a figure's interval loses
weight with its distance from it, ``exp(-d^2 / 2 tau^2)``, where ``d`` is the distance in
logs for an amount that is positive (a ratio: 10% beyond reads ``d = ln 1.1``) and in
shares of the interval's size for one that may change sign (a loss), and ``tau`` is the
tolerance: how far a model, simpler than the lab, may miss a figure and still count as
matching it. The weighted draws are the posterior: the prior conditioned on the reports.

This is approximate Bayesian computation with a Gaussian kernel, chosen over rejection
(keeping only exact matches) because it uses every draw and degrades smoothly as the
tolerance shrinks. Two counts say how far to trust it. The effective number of draws,
``(sum w)^2 / sum w^2`` (Kish's), is its precision: a posterior summary is as noisy as a
plain Monte Carlo with that many draws. The matched share, ``mean w``, says whether the prior
reaches the reports at all: each draw counts by its weight, a perfect match as one. Draws
that all miss by the same wide margin have equal tiny weights, a full effective sample and
almost no matched share. The weighted summaries themselves (probabilities, quantiles) are the
``weights=`` option of :mod:`labecon_core.uncertainty`'s.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from labecon_core.validation import check_number


@dataclass(frozen=True)
class Target:
    """A reported figure the draws are held against.

    Parameters
    ----------
    name : str
        The model output the figure is compared with.
    lo, hi : float
        The reported interval, in the output's unit (``lo <= hi``).
    positive : bool
        Whether the figure is a positive amount, compared as a ratio (in logs); otherwise
        the distance is measured in units of the interval's scale, ``max(|lo|, |hi|)``.
    """

    name: str
    lo: float
    hi: float
    positive: bool = True

    def __post_init__(self):
        lo, hi = check_number(f"{self.name} low", self.lo), check_number(f"{self.name} high", self.hi)
        if lo > hi:
            raise ValueError(f"target {self.name}: low {lo:g} above high {hi:g}")
        if self.positive and lo <= 0:
            raise ValueError(f"target {self.name}: a positive figure needs low > 0, got {lo:g}")

    def distance(self, values) -> np.ndarray:
        """How far each value lies outside the interval (0 inside), in the target's own measure."""
        x = np.asarray(values, dtype=float)
        if self.positive:
            with np.errstate(divide="ignore", invalid="ignore"):
                safe = np.where(x > 0, x, np.nan)
                d = np.maximum(np.maximum(np.log(self.lo / safe), np.log(safe / self.hi)), 0.0)
            return np.where(x > 0, d, np.inf)  # no positive amount is infinitely far off
        scale = max(abs(self.lo), abs(self.hi))
        return np.maximum(np.maximum(self.lo - x, x - self.hi), 0.0) / scale


@dataclass(frozen=True)
class Calibration:
    """Reported figures and the tolerance with which a model's draws are held against them.

    Parameters
    ----------
    targets : sequence of Target
    tolerance : float
        ``tau`` of :func:`weights` (> 0).
    """

    targets: tuple[Target, ...]
    tolerance: float

    def __post_init__(self):
        object.__setattr__(self, "targets", tuple(self.targets))
        object.__setattr__(self, "tolerance", check_number("calibration_tolerance", self.tolerance, gt=0))

    def weights(self, outputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """The weight of each draw given the model's ``outputs`` (see :func:`weights`)."""
        return weights(outputs, self.targets, self.tolerance)


def weights(outputs: Mapping[str, np.ndarray], targets: Sequence[Target], tolerance: float) -> np.ndarray:
    """The ABC weight of each draw: the product over targets of ``exp(-d^2 / 2 tau^2)``.

    Parameters
    ----------
    outputs : mapping
        ``name -> array`` of the model's figures per draw; every target's name must be in it.
    targets : iterable of Target
    tolerance : float
        ``tau`` (> 0): the distance at which a draw's weight for one figure falls to about 0.6.

    Returns
    -------
    ndarray
        Weights in [0, 1], shape of the draws.
    """
    tau = check_number("calibration_tolerance", tolerance, gt=0)
    log_w = 0.0
    for target in targets:
        log_w = log_w - 0.5 * (target.distance(outputs[target.name]) / tau) ** 2
    return np.exp(log_w)


def effective_sample_size(w) -> float:
    """The effective number of draws of weights ``w``: ``(sum w)^2 / sum w^2`` (0 if every weight is 0)."""
    w = np.asarray(w, dtype=float)
    if not w.sum() > 0:
        return 0.0
    w = w / w.max()  # the ratio does not depend on the scale, and tiny weights would underflow when squared
    return float(w.sum() ** 2 / np.square(w).sum())


def matched_share(w) -> float:
    """The share of the draws that match the reports, each counted by its weight: ``mean w`` (0 without draws)."""
    w = np.asarray(w, dtype=float)
    return float(w.mean()) if w.size else 0.0
