"""The weak-signal method: weekly rhythm, tails, guards, the two-day test, and the bench's pieces."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from tests.shared_data import APPEALS_DATA

from zhengshu.appeals.signals import (
    DEFAULT_PARAMS,
    SignalParams,
    calendar_class,
    check_day,
    check_share,
    class_factors,
    day_classes,
    detectable_level,
    fit_baseline,
    scan,
    upper_tail,
)
from zhengshu.bench.signals import build_series, category_of, load_messages, parse_seeds, place_of
from zhengshu.errors import InvalidInput

MONDAY = date(2024, 1, 1)
DATA = APPEALS_DATA
WEEKLY = np.array([1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5])  # five busy days, a quiet weekend


def poisson_series(level: float, days: int, seed: int, rhythm: np.ndarray | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    classes = day_classes(MONDAY, days)
    means = level * (rhythm[classes] if rhythm is not None else np.ones(days))
    return rng.poisson(means).astype(np.int64)


def test_day_factors_follow_the_weekly_rhythm():
    days = 56
    classes = day_classes(MONDAY, days)
    counts = (100 * WEEKLY[classes]).astype(float)
    factors = class_factors(counts, classes, prior=4.0)
    assert factors[0] == pytest.approx(1.2, rel=0.02)
    assert factors[6] == pytest.approx(0.5, rel=0.05)
    assert sum(factors) == pytest.approx(7.0)


def test_sparse_series_factors_shrink_toward_one():
    classes = day_classes(MONDAY, 56)
    counts = np.zeros(56)
    counts[0] = 1  # one appeal, on a Monday
    factors = class_factors(counts, classes, prior=4.0)
    assert max(factors) < 1.25 and min(factors) > 0.9


def test_baseline_level_and_expected_count_account_for_the_weekday():
    classes = day_classes(MONDAY, 80)
    counts = np.round(10 * WEEKLY[classes]).astype(np.int64)
    baseline = fit_baseline(counts, classes, 70)
    assert baseline.window_end == 69 and baseline.window_start == 13
    assert baseline.expected(0) == pytest.approx(12, rel=0.05)
    assert baseline.expected(6) == pytest.approx(5, rel=0.1)
    assert baseline.dispersion == 1.0


def test_upper_tail_is_poisson_without_over_dispersion_and_heavier_with_it():
    assert upper_tail(5, 2.0, 2.0) == pytest.approx(stats.poisson.sf(4, 2.0))
    assert upper_tail(5, 2.0, 4.0) > upper_tail(5, 2.0, 2.0)
    assert upper_tail(0, 2.0, 2.0) == 1.0


def test_steady_series_rarely_alarms():
    counts = poisson_series(6.0, 57 + 700, seed=11, rhythm=WEEKLY)
    classes = day_classes(MONDAY, len(counts))
    alarms = sum(check.alarm for check in scan(counts, classes, range(57, len(counts))))
    # α = 0.001 per series-day: about 0.7 expected in 700 days.
    assert alarms <= 3


def test_tripling_is_caught_within_two_days():
    caught = 0
    for seed in range(20):
        counts = poisson_series(8.0, 100, seed=seed, rhythm=WEEKLY)
        classes = day_classes(MONDAY, len(counts))
        burst = poisson_series(16.0, 100, seed=100 + seed, rhythm=WEEKLY)
        counts[80:85] += burst[80:85]
        caught += any(check_day(counts, classes, day).alarm for day in (80, 81))
    assert caught >= 18


def test_weekday_level_is_normal_on_a_weekday_but_unusual_on_a_sunday():
    days = 57 + 14
    classes = day_classes(MONDAY, days)
    counts = np.round(6 * np.where(classes < 5, 1.0, 0.15)).astype(np.int64)
    monday = next(i for i in range(57, days) if classes[i] == 0)
    sunday = next(i for i in range(57, days) if classes[i] == 6)
    counts[monday] = counts[sunday] = 8
    assert not check_day(counts, classes, monday).alarm
    assert check_day(counts, classes, sunday).alarm


def test_minimum_count_guard_on_a_near_empty_series():
    counts = np.zeros(60, dtype=np.int64)
    classes = day_classes(MONDAY, 60)
    counts[59] = 2
    assert not check_day(counts, classes, 59).alarm
    counts[59] = 3
    check = check_day(counts, classes, 59)
    assert check.alarm and check.test == "day"


def test_two_day_test_catches_a_rise_one_day_cannot():
    classes = day_classes(MONDAY, 60)
    counts = np.full(60, 4, dtype=np.int64)
    counts[58] = counts[59] = 11
    check = check_day(counts, classes, 59)
    assert check.p_day >= DEFAULT_PARAMS.alpha_per_test
    assert check.alarm and check.test == "two_day"
    assert check.observed_two_day == 22


def test_small_relative_rise_on_a_large_series_is_not_a_weak_signal():
    classes = day_classes(MONDAY, 60)
    counts = np.full(60, 200, dtype=np.int64)
    counts[59] = 280  # significant, but +40%
    assert not check_day(counts, classes, 59).alarm


def test_calendar_classes_treat_holidays_as_sundays():
    holiday = date(2024, 10, 1)  # a Tuesday in the National Day holiday
    working_saturday = date(2024, 9, 29)  # a Sunday worked instead (调休)
    classify = calendar_class(
        lambda day: day not in {holiday} and (day.weekday() < 5 or day == working_saturday)
    )
    assert classify(holiday) == 6
    assert classify(working_saturday) == 2
    assert classify(holiday + timedelta(days=7)) == 1


def test_new_term_is_flagged_and_a_steady_term_is_not():
    totals = np.full(60, 100, dtype=np.int64)
    new = np.zeros(60, dtype=np.int64)
    new[59] = 5
    alarm, expected, p_value = check_share(new, totals, 59)
    assert alarm and expected < 0.1 and p_value < 1e-4
    steady = np.full(60, 10, dtype=np.int64)
    steady[59] = 12
    assert not check_share(steady, totals, 59)[0]
    busy_day = totals.copy()
    busy_day[59] = 300
    tripled = steady.copy()
    tripled[59] = 30  # three times as many, on a day with three times the appeals
    assert not check_share(tripled, busy_day, 59)[0]


def test_detectable_level_is_where_power_reaches_ninety_percent():
    level = detectable_level(SignalParams())
    assert 2.0 < level < 10.0
    stricter = detectable_level(SignalParams(alpha=0.0001))
    assert stricter > level


def test_bench_place_and_category_rules():
    assert place_of("A3区某小区噪音扰民", "") == "A3区"
    assert place_of("路灯不亮", "位于A7县春华镇") == "A7县"
    assert place_of("路灯不亮", "A市某路") == "A市"
    assert place_of("路灯不亮", "") == "未注明"
    assert category_of("学校门口交通拥堵") == "交通运输"
    assert category_of("小区物业乱收费") == "城乡建设"
    assert category_of("咨询一件事") == "其他"
    assert parse_seeds("1, 2,3") == [1, 2, 3]
    with pytest.raises(InvalidInput):
        parse_seeds("a")


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data absent")
def test_bench_series_come_from_the_real_messages():
    messages = load_messages(DATA)
    assert len(messages) > 5000
    series = build_series(messages, date(2019, 1, 1), date(2019, 12, 31))
    families = {family for family, _ in series.values()}
    assert families == {"place×category", "place", "category", "place pair", "total"}
    fine = sum(counts for family, counts in series.values() if family == "place×category")
    assert (fine == series["全部"][1]).all()
    assert int(series["全部"][1].sum()) > 4000


def test_bench_refuses_a_missing_data_directory(tmp_path: Path):
    with pytest.raises(InvalidInput, match="找不到数据文件"):
        load_messages(tmp_path)
