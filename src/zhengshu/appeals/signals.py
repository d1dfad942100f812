"""Weak-signal detection (弱信号): is today's count of a daily series unusually high for it?

Pure functions over daily count series (numpy arrays, one value per consecutive day). The service
in `zhengshu.appeals.warnings` builds the series from stored appeals; `zhengshu bench signals`
measures the method on real background series with injected bursts.

The method, for a series y and a tested day t
------------------------------------------------
1. Baseline window: the W = 56 days (8 whole weeks) ending `guard_days` = 1 day before t, i.e.
   days t-57 … t-2. The guard keeps yesterday out of the baseline, so a burst that started yesterday
   neither inflates the baseline nor is hidden by it when the two-day test looks at t-1 and t.
2. Weekly rhythm: each day has a class, Monday … Sunday (the service maps statutory holidays to the
   Sunday class and 调休 working weekends to a Wednesday, through `zhengshu.workdays`). Class factors
   are f_c = 7·(S_c + m) / (S + 7m) over the window, where S_c is the window's count on class-c days
   of a rhythm reference series (the series itself, or a larger one that shares its rhythm, such as
   all appeals of the district), and m = 4 pseudo-counts shrink sparse estimates toward 1.
3. Level: λ = (N + ½) / Σ_window f_class(d), N the series' window total (the ½ keeps a never-seen
   series from having a zero baseline). The expected count of day s is μ_s = λ·f_class(s).
4. Over-dispersion: φ = max(1, Pearson χ² / (W − 1)) over the window. Appeals come in clumps (one
   event, several callers), so a Poisson tail would raise false alarms; φ widens it.
5. Predictive distribution of a sum over k tested days with expected M = Σ μ_s: a negative binomial
   with mean M and variance φ·(M + M²·r), r = 1/(N + ½) + 1/(S_c + m) — the first term the days' own
   noise, the second the uncertainty of an expectation estimated from N appeals and from S_c days'
   worth of rhythm (the larger r of the tested days' classes). P = Pr(Y ≥ observed) is its upper tail.
6. Two tests: the day alone (k = 1), and the cumulative count of yesterday and today (k = 2), which
   catches a tripling within two days even where one day is not enough. Each is run at α/2 with
   α = 0.001 per series-day (Bonferroni), so under the model a series raises a false alarm about
   once in 1,000 days (0.7 per 100 series-weeks).
7. Guards: a warning needs at least `min_count` = 3 appeals in the tested count (two appeals are not
   a pattern a leader should be called about, and the tail is unreliable that far down), at least
   1 appeal today, and an observed/expected ratio of at least 1.5 (a significant +20% on a large
   series is a trend, not a weak signal).

No parameter is fitted to a benchmark: α is the false-alarm budget, the window is eight weeks of
weekly rhythm, and the level below which a tripling cannot be seen within two days is computed from
the method itself (`detectable_level`).

Emerging terms use the same predictive tail, conditional on the day's volume (`check_share`): a
term's expected count is its window share of appeals times today's appeals, so weekly rhythm and a
busy day are accounted for by the volume itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy import stats

__all__ = [
    "CLASS_LABELS",
    "Baseline",
    "Check",
    "SignalParams",
    "check_day",
    "check_share",
    "day_classes",
    "detectable_level",
    "fit_baseline",
    "scan",
    "upper_tail",
    "weekday_class",
]

CLASS_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
SUNDAY = 6
MIDWEEK = 2


@dataclass(frozen=True)
class SignalParams:
    window_days: int = 56
    guard_days: int = 1
    alpha: float = 0.001
    min_count: int = 3
    min_ratio: float = 1.5
    rhythm_prior: float = 4.0

    @property
    def alpha_per_test(self) -> float:
        return self.alpha / 2

    @property
    def history_days(self) -> int:
        """Days of history needed before the first day that can be tested."""
        return self.window_days + self.guard_days


DEFAULT_PARAMS = SignalParams()


@dataclass(frozen=True)
class Baseline:
    level: float
    factors: tuple[float, ...]
    dispersion: float
    window_total: int
    window_start: int
    window_end: int  # exclusive
    # Per class: the rhythm reference's window count plus the prior (how well each factor is known).
    class_support: tuple[float, ...] = (math.inf,) * 7

    def expected(self, day_class: int) -> float:
        return self.level * self.factors[day_class]

    def relative_variance(self, day_class: int) -> float:
        """Squared relative error of `expected`: the level's and the class factor's."""
        return 1.0 / (self.window_total + 0.5) + 1.0 / self.class_support[day_class]


@dataclass(frozen=True)
class Check:
    """The verdict for one series and day, with every figure the explanation needs."""

    day: int
    observed: int
    expected: float
    factor: float
    day_class: int
    p_day: float
    observed_two_day: int
    expected_two_day: float
    p_two_day: float
    dispersion: float
    level: float
    alarm: bool
    test: str  # "day", "two_day" or "" when no alarm

    @property
    def p_value(self) -> float:
        return min(self.p_day, self.p_two_day)


def weekday_class(day: date) -> int:
    return day.weekday()


def day_classes(start: date, days: int, classify: Callable[[date], int] = weekday_class) -> np.ndarray:
    return np.array([classify(start + timedelta(days=i)) for i in range(days)], dtype=np.int8)


def calendar_class(is_workday: Callable[[date], bool]) -> Callable[[date], int]:
    """Day classes that follow the statutory calendar: a holiday on a weekday behaves like a Sunday,
    a working weekend (调休) like a Wednesday."""

    def classify(day: date) -> int:
        weekday = day.weekday()
        working = is_workday(day)
        if weekday < 5 and not working:
            return SUNDAY
        if weekday >= 5 and working:
            return MIDWEEK
        return weekday

    return classify


def class_factors(reference: np.ndarray, classes: np.ndarray, prior: float) -> tuple[float, ...]:
    """Multiplicative day-class factors of a window (mean 1 over the 7 classes), shrunk toward 1."""
    sums = np.bincount(classes, weights=reference, minlength=7)[:7]
    days = np.bincount(classes, minlength=7)[:7]
    total_days = max(int(days.sum()), 1)
    per_day = max(float(reference.sum()) / total_days, 1e-9)
    # Expected count on a class if the class had no rhythm, plus `prior` pseudo-counts of it.
    neutral = days * per_day
    raw = (sums + prior) / (neutral + prior)
    raw = np.where(days > 0, raw, 1.0)
    return tuple(float(x) for x in raw / raw.mean())


def fit_baseline(
    counts: np.ndarray,
    classes: np.ndarray,
    day: int,
    params: SignalParams = DEFAULT_PARAMS,
    rhythm: np.ndarray | None = None,
) -> Baseline:
    """The baseline for testing `day` (an index into `counts`), from the trailing window."""
    end = day - params.guard_days
    start = max(0, end - params.window_days)
    window = counts[start:end].astype(float)
    window_classes = classes[start:end]
    reference = (rhythm if rhythm is not None else counts)[start:end].astype(float)
    factors = class_factors(reference, window_classes, params.rhythm_prior)
    support = np.bincount(window_classes, weights=reference, minlength=7)[:7] + params.rhythm_prior
    weights = np.asarray(factors)[window_classes]
    total = int(window.sum())
    level = (total + 0.5) / max(float(weights.sum()), 1e-9)
    expected = level * weights
    dispersion = 1.0
    if len(window) > 1:
        pearson = float((((window - expected) ** 2) / expected).sum()) / (len(window) - 1)
        dispersion = max(1.0, pearson)
    return Baseline(level, factors, dispersion, total, start, end, tuple(float(x) for x in support))


def upper_tail(observed: int, mean: float, variance: float) -> float:
    """Pr(Y ≥ observed) for a negative binomial with this mean and variance (> mean)."""
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if variance <= mean * (1 + 1e-9):
        return float(stats.poisson.sf(observed - 1, mean))
    size = mean * mean / (variance - mean)
    return float(stats.nbinom.sf(observed - 1, size, size / (size + mean)))


def _variance(mean: float, relative_variance: float, baseline: Baseline) -> float:
    return baseline.dispersion * (mean + mean * mean * relative_variance)


def _tail_if_worth_testing(
    observed: int, expected: float, relative_variance: float, baseline: Baseline, params: SignalParams
) -> float:
    if observed < params.min_count or observed < params.min_ratio * expected:
        return 1.0
    return upper_tail(observed, expected, _variance(expected, relative_variance, baseline))


def check_day(
    counts: np.ndarray,
    classes: np.ndarray,
    day: int,
    params: SignalParams = DEFAULT_PARAMS,
    rhythm: np.ndarray | None = None,
) -> Check:
    """Test day `day` of the series (needs `params.history_days` days before it for a full window)."""
    baseline = fit_baseline(counts, classes, day, params, rhythm)
    observed = int(counts[day])
    day_class = int(classes[day])
    expected = baseline.expected(day_class)
    two_day_observed = observed + (int(counts[day - 1]) if day >= 1 else 0)
    two_day_expected = expected + (baseline.expected(int(classes[day - 1])) if day >= 1 else 0.0)
    relative = baseline.relative_variance(day_class)
    relative_two = max(relative, baseline.relative_variance(int(classes[day - 1]))) if day >= 1 else relative
    p_day = p_two = 1.0
    if observed >= 1:
        p_day = _tail_if_worth_testing(observed, expected, relative, baseline, params)
        p_two = _tail_if_worth_testing(two_day_observed, two_day_expected, relative_two, baseline, params)
    test = ""
    if p_day < params.alpha_per_test:
        test = "day"
    elif p_two < params.alpha_per_test:
        test = "two_day"
    return Check(
        day=day,
        observed=observed,
        expected=expected,
        factor=baseline.factors[day_class],
        day_class=day_class,
        p_day=p_day,
        observed_two_day=two_day_observed,
        expected_two_day=two_day_expected,
        p_two_day=p_two,
        dispersion=baseline.dispersion,
        level=baseline.level,
        alarm=bool(test),
        test=test,
    )


def scan(
    counts: np.ndarray,
    classes: np.ndarray,
    days: Sequence[int] | range,
    params: SignalParams = DEFAULT_PARAMS,
    rhythm: np.ndarray | None = None,
) -> list[Check]:
    """`check_day` for each of `days`."""
    return [check_day(counts, classes, day, params, rhythm) for day in days]


def check_share(
    term_counts: np.ndarray,
    totals: np.ndarray,
    day: int,
    params: SignalParams = DEFAULT_PARAMS,
    alpha: float | None = None,
) -> tuple[bool, float, float]:
    """Is a term's count today high given today's volume? Returns (alarm, expected, P).

    The term's expected count is (window count + ½) / (window appeals + 1) × today's appeals; the
    tail is the same negative binomial as `check_day` (dispersion of the term's daily shares).
    `alpha` defaults to the per-test α; callers testing many terms pass a Bonferroni-divided one.
    """
    end = day - params.guard_days
    start = max(0, end - params.window_days)
    window = term_counts[start:end].astype(float)
    window_totals = totals[start:end].astype(float)
    share = (float(window.sum()) + 0.5) / (float(window_totals.sum()) + 1.0)
    observed = int(term_counts[day])
    expected = share * float(totals[day])
    dispersion = 1.0
    busy = window_totals > 0
    if busy.sum() > 1:
        day_expected = share * window_totals[busy]
        pearson = float((((window[busy] - day_expected) ** 2) / day_expected).sum()) / (int(busy.sum()) - 1)
        dispersion = max(1.0, pearson)
    if observed < params.min_count or observed < params.min_ratio * expected or expected <= 0:
        return False, expected, 1.0
    variance = dispersion * expected + dispersion * expected * expected / (float(window.sum()) + 0.5)
    p_value = upper_tail(observed, expected, variance)
    return p_value < (alpha if alpha is not None else params.alpha_per_test), expected, p_value


def detectable_level(
    params: SignalParams = DEFAULT_PARAMS, multiplier: float = 3.0, power: float = 0.9, within: int = 2
) -> float:
    """The smallest daily level at which a `multiplier`× burst is caught within `within` (≤ 2) days
    with probability ≥ `power`, for a Poisson series with a well-estimated baseline (φ = 1, no
    weekly rhythm). Below it no method at this false-alarm rate can promise the target: the
    benchmark applies its targets to series at or above this level and reports the rest apart."""
    low, high = 0.05, 64.0
    if _detection_probability(high, multiplier, params, within) < power:
        return math.inf
    # Bisection on the log scale: power grows with the level (up to the count grid's small steps).
    while high / low > 1.01:
        middle = math.sqrt(low * high)
        if _detection_probability(middle, multiplier, params, within) >= power:
            high = middle
        else:
            low = middle
    return round(high, 2)


def _detection_probability(level: float, multiplier: float, params: SignalParams, within: int) -> float:
    """Exact over the joint counts of the burst's first `within` days (Poisson, mean multiplier·level);
    the day before the burst is taken at its expected count."""
    baseline = Baseline(level, (1.0,) * 7, 1.0, round(level * params.window_days), 0, params.window_days)
    burst = multiplier * level
    top = int(burst * 2 + 10 * math.sqrt(burst) + 10)
    probabilities = stats.poisson.pmf(np.arange(top + 1), burst)
    alpha = params.alpha_per_test
    relative = baseline.relative_variance(0)
    day_alarm = np.array(
        [
            y >= 1 and _tail_if_worth_testing(y, level, relative, baseline, params) < alpha
            for y in range(top + 1)
        ]
    )
    two_alarm = np.array(
        [_tail_if_worth_testing(s, 2 * level, relative, baseline, params) < alpha for s in range(2 * top + 2)]
    )
    before = round(level)
    first = np.array([day_alarm[y] or (y >= 1 and two_alarm[y + before]) for y in range(top + 1)])
    missed = 0.0
    for y1 in range(top + 1):
        if first[y1]:
            continue
        if within == 1:
            missed += probabilities[y1]
            continue
        second = np.array([day_alarm[y2] or (y2 >= 1 and two_alarm[y1 + y2]) for y2 in range(top + 1)])
        missed += probabilities[y1] * float(probabilities[~second].sum())
    return 1.0 - missed
