"""Competition model: normalization, closed forms, monotonicity, break-even lag, composition, evidence, bad input."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import parse_file

from labecon_book import chapters
from labecon_book import params as cli_params
from labecon_core import cohort, competition, data
from labecon_core.competition import CompetitionParams, competition_model
from labecon_core.errors import ParameterError
from labecon_core.inputs import competition as competition_inputs
from labecon_core.paths import ROOT

share = st.floats(0, 1)
params = st.fixed_dictionaries({
    "revenue_multiple_no_competition": st.floats(0.1, 50),
    "open_model_lag_months": st.floats(0.5, 60),
    "annual_price_decline": st.floats(1, 1000),
    "successor_cannibalization": share,
    "generation_interval_months": st.floats(0.5, 60),
    "n_labs": st.floats(1, 20),
    "retained_premium": share,
    "gross_margin": share,
    "cost_growth": st.floats(0.5, 20),
    "model_life_months": st.integers(1, 60),
    "commodity_margin": st.floats(0, 0.95),
    "lone_lab_share": st.floats(0.01, 0.99),
})


def model(**kw):
    return competition_model(CompetitionParams(**kw))


@settings(max_examples=150)
@given(p=params, beyond=st.floats(0, 500))
def test_no_competition_earns_the_no_competition_multiple(p, beyond):
    """Lag at or far beyond the life, no decline, no cannibalisation, one lab: m_r = m0 and gamma_r = gamma."""
    p.update(open_model_lag_months=p["model_life_months"] + beyond, annual_price_decline=1.0,
             successor_cannibalization=0.0, n_labs=1)
    r = model(**p)
    assert r.realized_multiple == pytest.approx(p["revenue_multiple_no_competition"], rel=1e-12)
    assert r.realized_margin == pytest.approx(p["gross_margin"], rel=1e-12, abs=1e-12)
    assert r.revenue_share_before_catch_up == pytest.approx(1.0)
    q = CompetitionParams(**p)
    assert competition_model(q.without_competition()).realized_multiple == pytest.approx(r.realized_multiple)


def test_default_chapter_case_matches_the_pieces():
    """The documented normalization holds for the defaults, and every force lowers the multiple."""
    steps = competition.mechanism_steps(CompetitionParams())
    assert list(steps.step) == list(competition.STEPS)
    assert steps.realized_multiple.iloc[0] == pytest.approx(2.0)
    assert np.all(np.diff(steps.realized_multiple) < 0)
    full = competition_model(CompetitionParams())
    assert steps.realized_multiple.iloc[-1] == pytest.approx(float(full.realized_multiple))


@given(m0=st.floats(0.1, 20), decline=st.floats(1.001, 1000), life=st.integers(1, 120))
def test_price_decline_alone_has_closed_form(m0, decline, life):
    r = model(revenue_multiple_no_competition=m0, annual_price_decline=decline, model_life_months=life,
              open_model_lag_months=life, successor_cannibalization=0.0, n_labs=1)
    delta = np.log(decline) / 12
    assert r.realized_multiple == pytest.approx(m0 * -np.expm1(-delta * life) / (delta * life), rel=1e-10)


@given(m0=st.floats(0.1, 20), kappa=share, gen=st.floats(0.1, 48), life=st.integers(1, 48))
def test_successor_alone_has_closed_form(m0, kappa, gen, life):
    r = model(revenue_multiple_no_competition=m0, successor_cannibalization=kappa, generation_interval_months=gen,
              model_life_months=life, open_model_lag_months=life, annual_price_decline=1.0, n_labs=1)
    g = min(gen, life)
    assert r.realized_multiple == pytest.approx(m0 * (g + (1 - kappa) * (life - g)) / life, rel=1e-10)


@given(m0=st.floats(0.1, 20), lag=st.floats(0.1, 24), rho=share, gamma=share, cm=st.floats(0, 0.9))
def test_open_parity_alone_has_closed_form(m0, lag, rho, gamma, cm):
    life = 24
    r = model(revenue_multiple_no_competition=m0, open_model_lag_months=lag, retained_premium=rho, gross_margin=gamma,
              commodity_margin=cm, model_life_months=life, annual_price_decline=1.0, successor_cannibalization=0.0,
              n_labs=1)
    cost = 1 - gamma
    commodity = cost / (1 - cm)
    after = 1 - (1 - rho) * max(1 - commodity, 0)
    assert r.realized_multiple == pytest.approx(m0 * (lag + after * (life - lag)) / life, rel=1e-10)
    assert r.gross_profit_multiple == pytest.approx(m0 * (gamma * lag + (after - cost) * (life - lag)) / life,
                                                    rel=1e-9, abs=1e-12)
    assert r.revenue_share_before_catch_up == pytest.approx(lag / (lag + after * (life - lag)), rel=1e-10)


# Each parameter with the direction in which raising it moves the realized multiple and gross profit.
DIRECTIONS = {
    "open_model_lag_months": +1, "annual_price_decline": -1, "successor_cannibalization": -1,
    "generation_interval_months": +1, "n_labs": -1, "retained_premium": +1, "commodity_margin": +1,
    "revenue_multiple_no_competition": +1,
}


@settings(max_examples=60)
@given(p=params, name=st.sampled_from(sorted(DIRECTIONS)), a=st.floats(0, 1), b=st.floats(0, 1))
def test_monotone_in_every_force(p, name, a, b):
    bounds = {"open_model_lag_months": (0.5, 60), "annual_price_decline": (1, 1000),
              "successor_cannibalization": (0, 1), "generation_interval_months": (0.5, 60), "n_labs": (1, 20),
              "retained_premium": (0, 1), "commodity_margin": (0, 0.95),
              "revenue_multiple_no_competition": (0.1, 50)}[name]
    lo, hi = sorted((a, b))
    values = bounds[0] + np.array([lo, hi]) * (bounds[1] - bounds[0])
    r = model(**{**p, name: values})
    sign = DIRECTIONS[name]
    tol = 1e-9 * np.max(np.abs(r.realized_multiple)) + 1e-12
    assert sign * (r.realized_multiple[1] - r.realized_multiple[0]) >= -tol
    assert sign * (r.gross_profit_multiple[1] - r.gross_profit_multiple[0]) >= -tol


@settings(max_examples=40)
@given(p=params)
def test_months_sum_to_the_lifetime_and_never_rise(p):
    q = CompetitionParams(**p)
    revenue, gross = competition.monthly(q)
    r = competition_model(q)
    assert revenue.shape == (q.model_life_months,)
    assert revenue.sum() == pytest.approx(float(r.realized_multiple), rel=1e-9, abs=1e-12)
    assert gross.sum() == pytest.approx(float(r.gross_profit_multiple), rel=1e-9, abs=1e-12)
    assert np.all(np.diff(revenue) <= 1e-12)
    assert np.all(gross <= revenue + 1e-12) and np.all(gross >= -1e-12)
    assert 0 <= r.revenue_share_before_catch_up <= 1


def test_monthly_broadcasts_over_parameter_arrays():
    q = CompetitionParams(open_model_lag_months=np.array([3.0, 12.0, 30.0]), n_labs=np.array([[1.0], [4.0]]))
    revenue, _ = competition.monthly(q)
    assert revenue.shape == (2, 3, 24)
    np.testing.assert_allclose(revenue.sum(axis=-1), competition_model(q).realized_multiple)


def test_vectorized_equals_one_at_a_time():
    lags, declines = np.array([1.0, 6.0, 12.0, 40.0]), np.array([1.0, 3.0, 40.0])
    table = competition.grid(CompetitionParams(), open_model_lag_months=lags, annual_price_decline=declines)
    assert len(table) == 12
    for row in table.itertuples():
        one = model(open_model_lag_months=row.open_model_lag_months, annual_price_decline=row.annual_price_decline)
        assert row.realized_multiple == pytest.approx(float(one.realized_multiple), rel=1e-12)
        assert row.gross_profit_multiple == pytest.approx(float(one.gross_profit_multiple), rel=1e-12)


def test_monthly_grid_equals_one_at_a_time():
    """Every row of the what-if table is the month of that step computed on its own; the defaults are on the grid."""
    base = CompetitionParams(n_labs=3.0, model_life_months=18)
    lags, declines = np.array([3.0, 12.0, 30.0]), np.array([1.0, 1.5, 10.0])
    table = competition.monthly_grid(base, open_model_lag_months=lags, annual_price_decline=declines)
    assert len(table) == len(competition.STEPS) * lags.size * declines.size * 18
    assert list(table.columns) == ["open_model_lag_months", "annual_price_decline", "forces", "month", "revenue",
                                   "gross_profit"]
    for (lag, decline, forces), rows in table.groupby(["open_model_lag_months", "annual_price_decline", "forces"]):
        one = competition.step_params(replace(base, open_model_lag_months=lag, annual_price_decline=decline))[forces]
        revenue, gross = competition.monthly(one)
        assert list(rows.month) == list(range(18))
        np.testing.assert_allclose(rows.revenue, revenue, rtol=1e-12)
        np.testing.assert_allclose(rows.gross_profit, gross, rtol=1e-12, atol=1e-15)
    at_defaults = table[(table.open_model_lag_months == base.open_model_lag_months)
                        & (table.annual_price_decline == base.annual_price_decline)]
    lifetime = at_defaults.groupby("forces", sort=False)[["revenue", "gross_profit"]].sum()
    steps = competition.mechanism_steps(base).set_index("step")
    np.testing.assert_allclose(lifetime.revenue, steps.realized_multiple.loc[lifetime.index], rtol=1e-12)
    np.testing.assert_allclose(lifetime.gross_profit, steps.gross_profit_multiple.loc[lifetime.index], rtol=1e-12)
    # The lag acts only from the open-parity step on, and only when parity falls within the model's life.
    decline_only = table[table.forces == "+ price decline"].groupby("open_model_lag_months").revenue.sum()
    assert decline_only.nunique() == 1
    full = table[(table.forces == competition.STEPS[-1]) & (table.annual_price_decline == 1.5)]
    by_lag = full.groupby("open_model_lag_months").revenue.sum()
    assert by_lag.loc[3.0] < by_lag.loc[12.0] < by_lag.loc[30.0]


@settings(max_examples=60)
@given(p=params, target=st.floats(0.2, 5))
def test_lag_solver_hits_its_target(p, target):
    q = CompetitionParams(**p)
    lag = float(competition.lag_for_gross_multiple(q, target))
    life = q.model_life_months

    def gross(at):
        return float(competition_model(replace(q, open_model_lag_months=at)).gross_profit_multiple)

    if np.isnan(lag):
        assert gross(life) < target
    elif lag == 0:
        assert gross(1e-9) >= target * (1 - 1e-9)
    else:
        assert gross(lag) == pytest.approx(target, rel=1e-9)
        assert gross(max(lag - 0.01, 1e-9)) <= target + 1e-12


def test_breakeven_and_scaling_lags():
    mid = CompetitionParams(revenue_multiple_no_competition=10.0)
    be = float(competition.breakeven_lag(mid))
    assert 0 < be < mid.model_life_months
    assert float(competition_model(replace(mid, open_model_lag_months=be)).gross_profit_multiple) == pytest.approx(1)
    rich = replace(mid, revenue_multiple_no_competition=100.0)
    scale = float(competition.scaling_lag(rich))
    assert 0 < scale < rich.model_life_months
    r = competition_model(replace(rich, open_model_lag_months=scale))
    assert float(r.gross_profit_multiple) == pytest.approx(rich.cost_growth)
    # More no-competition revenue needs a shorter lead; the defaults lose money at any lag; a huge multiple never does.
    assert float(competition.breakeven_lag(replace(mid, revenue_multiple_no_competition=12.0))) < be
    assert np.isnan(competition.breakeven_lag(CompetitionParams()))
    assert competition.breakeven_lag(CompetitionParams(revenue_multiple_no_competition=1e4)) == 0
    many = competition.breakeven_lag(replace(mid, revenue_multiple_no_competition=np.array([2.0, 10.0, 1e4])))
    np.testing.assert_allclose(many, [np.nan, be, 0.0])


@given(p=params, target=st.floats(0.1, 20))
def test_required_multiple_reaches_the_target(p, target):
    q = CompetitionParams(**p)
    need = float(competition.required_multiple(q, target))
    if np.isfinite(need):
        r = competition_model(replace(q, revenue_multiple_no_competition=need))
        assert float(r.gross_profit_multiple) == pytest.approx(target, rel=1e-9)
    else:
        assert float(competition_model(q).gross_profit_multiple) == 0


def test_shortest_lags_are_the_solvers_and_end_where_they_reach_zero():
    p = CompetitionParams()
    targets = {"cohort breaks even": 1.0, "profit while scaling": p.cost_growth}
    multiples = np.geomspace(1, 300, 31)
    curves = competition.shortest_lags(p, multiples, [1.0, 10.0], targets)
    assert curves.lag_months.notna().all()
    for r in curves.itertuples():
        q = replace(p, revenue_multiple_no_competition=r.revenue_multiple_no_competition,
                    annual_price_decline=r.annual_price_decline)
        assert r.lag_months == float(competition.lag_for_gross_multiple(q, targets[r.condition]))
    ends = []
    for _, c in curves.groupby(["annual_price_decline", "condition"], sort=False):
        # A larger multiple never needs a longer lead; a lag of 0 only at the end of a curve.
        assert np.all(np.diff(c.revenue_multiple_no_competition) > 0) and np.all(np.diff(c.lag_months) <= 1e-9)
        assert (c.lag_months.iloc[:-1] > 0).all()
        ends.append(c.lag_months.iloc[-1])
    assert 0.0 in ends
    # Kept: every multiple that can reach the target, up to the first that needs no lead at all.
    for decline in (1.0, 10.0):
        lag = competition.lag_for_gross_multiple(
            replace(p, revenue_multiple_no_competition=multiples, annual_price_decline=decline), 1.0)
        first_zero = multiples[lag == 0].min(initial=np.inf)
        kept = curves[(curves.annual_price_decline == decline) & (curves.condition == "cohort breaks even")]
        np.testing.assert_array_equal(kept.revenue_multiple_no_competition,
                                      multiples[~np.isnan(lag) & (multiples <= first_zero)])


@given(lags=st.lists(st.floats(0.5, 60), min_size=1, max_size=5, unique=True), gen=st.floats(0.5, 60),
       life=st.integers(1, 60))
def test_force_events_mark_parity_and_the_successor_within_the_life(lags, gen, life):
    lags = sorted(lags)
    events = competition.force_events(CompetitionParams(generation_interval_months=gen, model_life_months=life), lags)
    assert (events.month < life).all()
    for lag in lags:
        expected = {}
        if lag < life:
            expected[lag] = ["open-model parity"]
        if gen < life:
            expected.setdefault(gen, []).append("own successor")
        at = events[events.open_model_lag_months == lag]
        assert dict(zip(at.month, at.event, strict=True)) == {m: " and ".join(e) for m, e in expected.items()}


@settings(max_examples=40)
@given(p=params)
def test_composes_with_the_cohort_model(p):
    q = CompetitionParams(**p)
    r = competition_model(q)
    assert r.company_profitable_while_scaling == cohort.profitable_while_scaling(
        r.realized_margin, r.realized_multiple, q.cost_growth)
    assert r.realized_margin * r.realized_multiple == pytest.approx(float(r.gross_profit_multiple), rel=1e-9, abs=1e-12)
    c = cohort.cohort_model(competition.cohort_params(r, q, generations=2))
    # The cohort model's P&L per generation is gamma_r m_r - 1 training costs.
    np.testing.assert_allclose(c.cohort_pnl / c.training_cost, r.gross_profit_multiple - 1, rtol=1e-9, atol=1e-9)
    if not np.isclose(r.gross_profit_multiple, 1):
        assert bool(np.all(c.cohort_pnl > 0)) == bool(r.cohort_profitable)


# Evidence helpers and the runway.

def test_months_between_and_blended_price():
    assert competition.months_between("2023-01-01", "2024-01-01")[0] == pytest.approx(365 / (365.25 / 12))
    np.testing.assert_allclose(competition.months_between("2024-01-01", ["2024-01-01", "2025-01-01"]),
                               [0, 366 / 30.4375])
    assert competition.blended_price(4.0, 8.0, 0.75) == pytest.approx(5.0)
    with pytest.raises(ParameterError, match=r"'input_token_share'.*1\.5"):
        competition.blended_price(1, 2, 1.5)


def test_annual_fall_recovers_a_known_trend():
    dates = pd.date_range("2023-01-01", periods=25, freq="MS")
    t = competition.months_between(dates[0], dates) / 12
    assert competition.annual_fall(dates, 50 * 4.0 ** -t) == pytest.approx(4.0, rel=1e-9)
    with pytest.raises(ValueError, match="spanning a year"):
        competition.annual_fall(dates[:6], np.ones(6))


def _prices():
    return pd.DataFrame({
        "model": ["A", "A", "B", "C"], "event": ["launch", "price cut", "launch", "launch"],
        "replaces": [None, None, "A", None], "date": ["2023-01-01", "2023-06-01", "2023-09-01", "2024-01-01"],
        "input_usd_per_mtok": [8.0, 4.0, 2.0, 1.0], "output_usd_per_mtok": [8.0, 4.0, 2.0, 1.0],
    })


def test_first_year_falls_and_flagship_path():
    falls = competition.first_year_falls(_prices(), "2024-10-01", 0.75)
    assert list(falls.model) == ["A", "B"]  # C's first year is not over
    np.testing.assert_allclose(falls.fall, [2.0, 1.0])
    path = competition.flagship_path(_prices(), "A", 0.75)
    assert list(path.model) == ["A", "A", "B"]
    np.testing.assert_allclose(path.blended_usd_per_mtok, [8, 4, 2])
    assert competition.geometric_mean([1, 4]) == pytest.approx(2)
    cuts = competition.successor_discounts(_prices(), 0.75)
    assert list(cuts.model) == ["B"]
    assert cuts.discount.iloc[0] == pytest.approx(2.0)  # A had been cut to 4 when B launched at 2
    assert cuts.price_share.iloc[0] * cuts.discount.iloc[0] == pytest.approx(1.0)


def test_flagship_paths_follow_every_line():
    prices = _prices().assign(lab=["X", "X", "X", "Y"])
    paths = competition.flagship_paths(prices, 0.75)
    assert list(paths.line) == ["A", "A", "A", "C"] and list(paths.lab) == ["X", "X", "X", "Y"]
    for line, path in paths.groupby("line"):
        pd.testing.assert_frame_equal(path.drop(columns=["line", "lab"]).reset_index(drop=True),
                                      competition.flagship_path(prices, line, 0.75))


def test_lag_extremes_bound_every_figure():
    lags = pd.DataFrame({"value_months": [12.0, np.nan, 3.5], "low_months": [np.nan, 5.0, 1.1],
                         "high_months": [np.nan, 22.0, 5.3]})
    assert competition.lag_extremes(lags) == (1.1, 22.0)
    table = data.load("open_model_lag")
    low, high = competition.lag_extremes(table)
    figures = table[["value_months", "low_months", "high_months"]].to_numpy().ravel()
    figures = figures[~np.isnan(figures)]
    assert low == figures.min() and high == figures.max()


def test_runway_and_burn():
    np.testing.assert_allclose(competition.runway_months(6e9, [12e9, 0.0, -1.0]), [6.0, np.inf, np.inf])
    low, high = competition.burn_range(8e9, 10e9, 3.5e9, 4.5e9)
    assert (low, high) == (3.5e9, 6.5e9)
    with pytest.raises(ParameterError, match="'cash_usd'"):
        competition.runway_months(-1, 1e9)


@given(cash=st.floats(0, 1e11), burn=st.floats(1e8, 1e10), spread=st.floats(1, 5))
def test_the_runway_band_runs_from_the_high_burn_to_the_low(cash, burn, spread):
    short, long = competition.runway_band(cash, burn, burn * spread)
    assert short == competition.runway_months(cash, burn * spread) and long == competition.runway_months(cash, burn)
    assert short <= long
    # A year of the burn uses up twelve months of runway.
    assert competition.runway_months(cash + burn, burn) == pytest.approx(competition.runway_months(cash, burn) + 12)
    band = competition.runway_band(np.linspace(0, cash, 4), np.array([[burn], [2 * burn]]), 3 * burn)
    assert band[0].shape == band[1].shape == (2, 4)


@given(income=st.floats(-1e11, 1e11), spend=st.floats(1e8, 1e11), spread=st.floats(1, 5))
def test_profit_cover_multiplies_back_to_the_income(income, spend, spread):
    low, high = competition.profit_cover(income, spend, spend * spread)
    assert low * spend * spread == pytest.approx(income) and high * spend == pytest.approx(income)
    if income >= 0:
        assert low <= high  # the high spend leaves the lower cover


def test_the_tables_load_and_cite_known_sources():
    keys = set()
    for bib in (ROOT / "data" / "bib").glob("*.bib"):
        keys.update(parse_file(str(bib)).entries.keys())
    matches = data.load("competition_open_matches")
    assert set(matches.closed_source) <= keys
    assert np.all(competition.months_between(matches.closed_release, matches.open_release) > 0)
    prices = data.load("api_price_cuts")
    successors = prices.replaces.dropna()
    assert set(successors) <= set(prices.model)
    for name in ("open_model_lag", "api_price_declines", "competition_core_profits", "competition_funding"):
        assert len(data.load(name)) > 0


def test_the_price_evidence_is_the_followed_flagships():
    # One table of API prices serves two chapters: the competition chapter reads its followed rows (every launch
    # and cut of the labs' flagships), the compute chapter quotes single prices from the others.
    prices = data.load("api_price_cuts")
    followed = prices[prices.followed]
    assert (prices.groupby("model").followed.nunique() == 1).all()  # a model is followed in all its rows or none
    assert set(followed.replaces.dropna()) <= set(followed.model) and prices[~prices.followed].replaces.isna().all()
    assert {"GPT-3 davinci", "DeepSeek-V3"} <= set(prices[~prices.followed].model)
    lines = competition.flagship_paths(followed, 0.75)
    falls = competition.first_year_falls(followed, followed.date.max(), 0.75)
    assert set(lines.model) | set(falls.model) <= set(followed.model)
    assert set(lines.lab) == {"OpenAI", "Anthropic", "Google"}


# Bad input: every check names the parameter, the value and what is allowed.

@pytest.mark.parametrize(("field", "value", "message"), [
    ("successor_cannibalization", 1.2, r"'successor_cannibalization': got 1.2; allowed: a number >= 0 and <= 1"),
    ("retained_premium", -0.1, r"'retained_premium': got -0.1; allowed: a number >= 0 and <= 1"),
    ("gross_margin", 1.5, r"'gross_margin': got 1.5; allowed: a number >= 0 and <= 1"),
    ("open_model_lag_months", 0, r"'open_model_lag_months': got 0; allowed: a number > 0"),
    ("open_model_lag_months", -3, r"'open_model_lag_months': got -3"),
    ("annual_price_decline", 0.5, r"'annual_price_decline': got 0.5; allowed: a number >= 1"),
    ("n_labs", 0, r"'n_labs': got 0; allowed: a number >= 1"),
    ("generation_interval_months", 0, r"'generation_interval_months': got 0; allowed: a number > 0"),
    ("revenue_multiple_no_competition", -1, r"'revenue_multiple_no_competition': got -1"),
    ("cost_growth", 0, r"'cost_growth': got 0; allowed: a number > 0"),
    ("model_life_months", 0, r"'model_life_months': got 0; allowed: a whole number >= 1 and <= 240"),
    ("model_life_months", 12.5, r"'model_life_months': got 12.5; allowed: a whole number"),
    ("commodity_margin", 1.0, r"'commodity_margin': got 1.0; allowed: a number >= 0 and < 1"),
    ("lone_lab_share", 0.0, r"'lone_lab_share': got 0.0; allowed: a number > 0 and < 1"),
    ("lone_lab_share", 1.0, r"'lone_lab_share': got 1.0"),
    ("n_labs", "four", r"'n_labs': got 'four'; allowed: a number"),
    ("annual_price_decline", float("nan"), r"'annual_price_decline'.*a finite number"),
    ("successor_cannibalization", np.array([0.2, 1.4]), r"'successor_cannibalization': got 1.4"),
])
def test_bad_input_is_named(field, value, message):
    with pytest.raises(ParameterError, match=message):
        CompetitionParams(**{field: value})


TODAY = {"observed_revenue_multiple": 2.0, "observed_gross_margin": 0.72, "n_labs_today": 4,
         "open_model_lag_today_months": 12.0}


def test_chapter_validator_checks_its_own_parameters():
    ok = {"input_token_share": 0.75, "pure_play_cash_usd": 1e10, **TODAY}
    assert isinstance(competition_inputs.validate(**ok), CompetitionParams)
    for name, value, message in [
        ("input_token_share", 2, r"'input_token_share': got 2; allowed: a number >= 0 and <= 1"),
        ("pure_play_cash_usd", -5, r"'pure_play_cash_usd': got -5; allowed: a number >= 0"),
        ("observed_revenue_multiple", 0, r"'observed_revenue_multiple': got 0; allowed: a number > 0"),
        ("observed_gross_margin", 1.2, r"'observed_gross_margin': got 1.2; allowed: a number >= 0 and <= 1"),
        ("n_labs_today", 0.5, r"'n_labs_today': got 0.5; allowed: a number >= 1"),
        ("open_model_lag_today_months", 0, r"'open_model_lag_today_months': got 0; allowed: a number > 0"),
    ]:
        with pytest.raises(ParameterError, match=message):
            competition_inputs.validate(**{**ok, name: value})
    with pytest.raises(ParameterError, match=r"'n_labs': got 0\.5"):
        competition_inputs.validate(**ok, n_labs=0.5)


def test_the_chapter_defaults_reproduce_todays_market_and_one_more_lab_lowers_it():
    """The lone lab inferred from the chapter's defaults gives back the observed figures; a lab more lowers both."""
    values = chapters.chapter("competition").defaults()
    forces = competition_inputs.validate(**values)
    n, lag = values["n_labs_today"], values["open_model_lag_today_months"]
    p = competition.calibrated(forces, values["observed_revenue_multiple"], values["observed_gross_margin"], n, lag)
    today = competition_model(replace(p, n_labs=n, open_model_lag_months=lag))
    assert float(today.realized_multiple) == pytest.approx(values["observed_revenue_multiple"], rel=1e-12)
    assert float(today.realized_margin) == pytest.approx(values["observed_gross_margin"], rel=1e-12)
    one_more = competition_model(replace(p, n_labs=n + 1, open_model_lag_months=lag))
    assert one_more.realized_multiple < today.realized_multiple
    assert one_more.realized_margin < today.realized_margin
    # Competition only takes away: a lab alone earns more, at a higher margin, than today's market leaves.
    assert p.revenue_multiple_no_competition > values["observed_revenue_multiple"]
    assert p.gross_margin > values["observed_gross_margin"]
    # The what-ifs default to today, and the fit leaves them as the reader set them.
    assert (values["n_labs"], values["open_model_lag_months"]) == (n, lag)
    assert (p.n_labs, p.open_model_lag_months) == (forces.n_labs, forces.open_model_lag_months)


@pytest.mark.parametrize(("name", "lag"), [("competition-open-parity-6m", 6.0), ("competition-durable-lead", 30.0)])
def test_scenarios_resolve_against_the_chapter(name, lag):
    chapter = chapters.chapter("competition")
    values = cli_params.resolve(chapter, scenario=ROOT / "scenarios" / f"{name}.yml")
    assert values["open_model_lag_months"] == lag, "the scenario sets the what-if lag"
    assert values["open_model_lag_today_months"] == chapter.defaults()["open_model_lag_today_months"], "not today's"


def test_the_chapter_rejects_bad_input_before_running():
    chapter = chapters.chapter("competition")
    for name, value in [("n_labs", "0"), ("annual_price_decline", "0.5"), ("open_model_lag_months", "-1"),
                        ("retained_premium", "2"), ("observed_revenue_multiple", "-1"),
                        ("observed_gross_margin", "1.5"), ("n_labs_today", "0"), ("open_model_lag_today_months", "0")]:
        with pytest.raises(ParameterError, match=f"'{name}'"):
            cli_params.resolve(chapter, overrides=[(name, value)])


# --- calibration to today's market ---------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(multiple=st.floats(0.5, 6), margin=st.floats(0.05, 0.95), n=st.floats(1, 8), lag=st.floats(1, 30),
       decline=st.floats(1, 3), kappa=st.floats(0, 0.9))
def test_calibrated_model_reproduces_todays_figures_and_more_labs_lower_them(multiple, margin, n, lag, decline,
                                                                            kappa):
    p = CompetitionParams(annual_price_decline=decline, successor_cannibalization=kappa)
    q = competition.calibrated(p, multiple, margin, n, lag)
    today = competition_model(replace(q, n_labs=n, open_model_lag_months=lag))
    assert float(today.realized_multiple) == pytest.approx(multiple, rel=1e-9)
    assert float(today.realized_margin) == pytest.approx(margin, abs=1e-9)
    assert q.gross_margin >= margin - 1e-9, "a lone lab keeps at least today's margin"
    one_more = competition_model(replace(q, n_labs=n + 1, open_model_lag_months=lag))
    assert one_more.realized_multiple < today.realized_multiple
    assert one_more.realized_margin < today.realized_margin


def test_calibration_is_vectorised_over_draws():
    p = CompetitionParams()
    multiples, margins = np.array([1.5, 2.0, 3.0]), np.array([0.7, 0.72, 0.8])
    many = competition.calibrated(p, multiples, margins, 4, 12)
    for i in range(3):
        one = competition.calibrated(p, multiples[i], margins[i], 4, 12)
        assert many.revenue_multiple_no_competition[i] == pytest.approx(one.revenue_multiple_no_competition)
        assert many.gross_margin[i] == pytest.approx(one.gross_margin)


def test_calibration_names_a_bad_observed_figure():
    with pytest.raises(ParameterError, match="'observed_margin'"):
        competition.calibrated(CompetitionParams(), 2.0, 1.2, 4, 12)
    with pytest.raises(ParameterError, match="'n_labs_today'"):
        competition.calibrated(CompetitionParams(), 2.0, 0.7, 0.5, 12)
