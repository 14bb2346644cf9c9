"""Rivalry among n symmetric frontier labs: how the markup over serving cost shrinks with n.

The model is symmetric logit demand with an outside option, the standard model of
price competition between differentiated products (differentiated Bertrand; Anderson,
de Palma and Thisse 1992; Berry 1994). A buyer takes the model of lab ``i`` if its
utility ``(a - p_i)/lambda + e_i`` (``e_i`` i.i.d. Gumbel) beats every other lab's and
the outside option (older models, open models, no AI at all). Lab ``i`` then sells
to the share ``s_i = x_i / (1 + sum_j x_j)``, ``x_j = exp((a - p_j)/lambda)``, of
potential buyers, and its first-order condition is

    p_i - c = lambda / (1 - s_i),

so in a symmetric equilibrium with ``n`` labs the markup over the serving cost ``c``
is ``lambda / (1 - s_n)``: it falls as each lab's share falls, towards ``lambda``,
the part of the markup that product differentiation protects however many rivals
there are.

Normalization: prices are relative to the price a lone lab would charge (``p_1 = 1``),
so the serving cost is ``c = 1 - gamma``, where ``gamma`` is the lone lab's gross
margin, and the lone lab serves ``s_1`` of potential buyers. These two numbers fix
``lambda = gamma (1 - s_1)`` and the quality term ``a``. For comparison,
:func:`cournot_margin` gives the textbook Cournot answer with constant-elasticity
demand, where the gross margin (Lerner index) is ``1/(n epsilon) = gamma / n``.

Every function accepts numpy arrays that broadcast together.
"""

from dataclasses import dataclass

import numpy as np

from labecon_core.validation import check_number, check_share

_BISECTION_STEPS = 100  # halves (0, 1/n) down to adjacent floats


@dataclass(frozen=True)
class RivalryOutcome:
    """Symmetric logit equilibrium with ``n`` labs, relative to a lone lab.

    Attributes
    ----------
    share : ndarray
        Share of potential buyers served by each lab, in (0, 1/n).
    price : ndarray
        Price relative to the lone lab's price (1 for one lab).
    margin : ndarray
        Gross margin at that price, ``(p - c)/p``, share of revenue.
    volume : ndarray
        Each lab's volume relative to the lone lab's, ``s_n / s_1``.
    revenue : ndarray
        Each lab's revenue relative to the lone lab's, ``volume * price``.
    gross_profit : ndarray
        Each lab's gross profit relative to the lone lab's.
    """

    share: np.ndarray
    price: np.ndarray
    margin: np.ndarray
    volume: np.ndarray
    revenue: np.ndarray
    gross_profit: np.ndarray


def _logit(s):
    return np.log(s) - np.log1p(-s)


def equilibrium_share(n_labs, lone_lab_share):
    """Share of potential buyers each of ``n`` symmetric labs serves in the logit equilibrium.

    Solves ``log(s / (1 - n s)) + 1/(1 - s) = logit(s_1) + 1/(1 - s_1)`` for ``s`` in
    ``(0, 1/n)`` by bisection; the left side increases in ``s``, so the root is unique,
    and it falls as ``n`` grows. (The equation is the first-order condition with the
    quality term ``a`` eliminated; it does not depend on the gross margin.)

    Parameters
    ----------
    n_labs : float or array
        Number of symmetric labs (>= 1; fractional values interpolate).
    lone_lab_share : float or array
        Share of potential buyers a lone lab serves at its price, in (0, 1).

    Returns
    -------
    ndarray
        Share per lab, in (0, 1/n).
    """
    n = np.asarray(check_number("n_labs", n_labs, ge=1), dtype=float)
    s1 = np.asarray(check_number("lone_lab_share", lone_lab_share, gt=0, lt=1), dtype=float)
    n, s1 = np.broadcast_arrays(n, s1)
    target = _logit(s1) + 1.0 / (1.0 - s1)
    lo, hi = np.zeros(n.shape), 1.0 / n
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore"):
            f = np.log(mid) - np.log1p(-n * mid) + 1.0 / (1.0 - mid) - target
        lo, hi = np.where(f < 0, mid, lo), np.where(f < 0, hi, mid)
    return 0.5 * (lo + hi)


def symmetric_logit(n_labs, gross_margin, lone_lab_share) -> RivalryOutcome:
    """Prices, margins and each lab's volume and revenue with ``n`` symmetric labs.

    Parameters
    ----------
    n_labs : float or array
        Number of symmetric labs (>= 1).
    gross_margin : float or array
        Gross margin of a lone lab at its price, share of revenue in [0, 1]; it fixes
        the serving cost ``c = 1 - gross_margin`` relative to that price.
    lone_lab_share : float or array
        Share of potential buyers a lone lab serves, in (0, 1). Near 0 the labs mostly
        compete with the outside option and rivals cost each other little; near 1 the
        market is saturated and every rival takes buyers from the others.

    Returns
    -------
    RivalryOutcome
        All quantities relative to the lone lab (``n = 1`` gives ones and ``gross_margin``).
    """
    gamma = np.asarray(check_share("gross_margin", gross_margin), dtype=float)
    s1 = np.asarray(lone_lab_share, dtype=float)
    s = equilibrium_share(n_labs, lone_lab_share)
    cost = 1.0 - gamma
    markup = gamma * (1.0 - s1) / (1.0 - s)
    price = cost + markup
    volume = s / s1
    # price > 0 always: the cost is positive when gamma < 1, the markup when gamma > 0.
    return RivalryOutcome(
        share=s, price=price, margin=markup / price, volume=volume, revenue=volume * price,
        # markup / gamma = (1 - s_1)/(1 - s): the ratio stays defined at gamma = 0.
        gross_profit=volume * (1.0 - s1) / (1.0 - s),
    )


def margin_floor(gross_margin, lone_lab_share):
    """The gross margin the logit equilibrium tends to as the number of labs grows, share of revenue.

    Each lab's share goes to 0, so its markup falls to ``lambda = gamma (1 - s_1)`` over the
    serving cost ``c = 1 - gamma``, and its margin to ``lambda / (c + lambda)``: what product
    differentiation protects however many rivals enter.
    """
    gamma = np.asarray(check_share("gross_margin", gross_margin), dtype=float)
    s1 = np.asarray(check_number("lone_lab_share", lone_lab_share, gt=0, lt=1), dtype=float)
    return gamma * (1 - s1) / (1 - gamma + gamma * (1 - s1))


def cournot_margin(n_labs, gross_margin):
    """Gross margin (Lerner index) with ``n`` symmetric Cournot labs and constant-elasticity demand.

    A lone lab's margin ``gamma`` equals ``1/epsilon``, so with ``n`` labs it is
    ``1/(n epsilon) = gamma / n``: unlike the logit margin it goes to zero.
    """
    n = check_number("n_labs", n_labs, ge=1)
    return check_share("gross_margin", gross_margin) / np.asarray(n, dtype=float)


def cournot_lone_lab_margin(n_labs, margin):
    """The lone lab's margin that would leave each of ``n`` Cournot labs the gross margin ``margin``: ``n margin``.

    The inverse of :func:`cournot_margin`. Above 1, no lone lab's margin can do it: the
    observed margin cannot be squared with Cournot competition among ``n`` labs.
    """
    n = check_number("n_labs", n_labs, ge=1)
    return np.asarray(n, dtype=float) * check_share("margin", margin)
