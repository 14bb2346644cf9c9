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
tolerance shrinks. Its precision is the effective number of draws,
``(sum w)^2 / sum w^2``: a posterior summary is as noisy as a plain Monte Carlo with that
many draws.
"""

from collections.abc import Mapping
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


def weights(outputs: Mapping[str, np.ndarray], targets, tolerance: float) -> np.ndarray:
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


def weighted_probability(event, w) -> float:
    """The probability of ``event`` (booleans per draw) under weights ``w``; NaN if every weight is 0."""
    w = np.asarray(w, dtype=float)
    total = w.sum()
    return float(np.sum(w * np.asarray(event, dtype=bool)) / total) if total > 0 else float("nan")


def weighted_quantiles(values, w, probs) -> np.ndarray:
    """Quantiles of ``values`` under weights ``w``: the smallest value whose cumulative weight reaches each prob.

    With equal weights this is the inverted empirical distribution function (numpy's
    ``inverted_cdf`` method). NaN values are left out.
    """
    x = np.asarray(values, dtype=float).ravel()
    w = np.broadcast_to(np.asarray(w, dtype=float), np.shape(values)).ravel()
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    if x.size == 0:
        return np.full(np.shape(probs), np.nan)
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    cumulative /= cumulative[-1]
    at = np.searchsorted(cumulative, np.asarray(probs, dtype=float) * (1 - 1e-12), side="left")
    return x[order][np.minimum(at, x.size - 1)]
