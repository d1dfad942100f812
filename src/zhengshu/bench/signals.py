"""`zhengshu bench signals`: synthetic bursts injected into real background series.

Background
    The messages of `teddycup2020_hotspot_messages.csv` and `teddycup2020_replies.csv` (deduplicated by
    留言编号), counted per day by the date of 留言时间, over the span where the collection is dense
    (default 2019-01-01 … 2019-12-31; earlier years hold only a thin sample). Each message gets a place —
    the first "A3区"-style token of the title, else of the body ("A市" when only the city is named,
    "未注明" otherwise) — and a category from a small keyword rule on the title (`CATEGORY_RULES`, first
    match wins, else 其他). Series families, all real counts:
      place×category   the fine split the product runs on (sparse, over-dispersed)
      place            per place
      category         per category
      place pair       every union of two places (as a group of streets would be)
      total            everything
    Unions share data, so their false alarms are not independent.

Bursts
    For each seed and series, `bursts_per_series` bursts, each injected into its own copy of the series:
    a start day uniform over the tested days, a duration uniform in 3 … 7 days, and on each burst day t
    extra appeals ~ Poisson(2·μ_t) on top of the real count, so that the expected count is 3·μ_t. μ_t
    is the series' true level around the start (its mean over the 8 whole weeks centred on the start)
    times the day-class factor of the total series over the span. A burst is detected when the series
    raises a warning on its first or second day; the delay is the first warning's day minus the start.

False alarms
    Every warning (series-day) of the clean background over the tested days; background days
    inside an injected burst do not exist in this count because bursts live in their own copies.
    Real background holds real bursts (the hotspot file was collected around hot issues): their
    warnings count as false alarms here, which makes the figure conservative.

Population
    The targets apply where a tripling can be seen at all: bursts and series-days whose effective level
    — baseline level divided by the baseline's dispersion φ, the Poisson-equivalent level of an
    over-dispersed series — is at least `detectable_level()`, the level at which the method catches a
    3x burst within 2 days with 90% power on a Poisson series (computed from α and the guards, not
    from this data). The JSON also gives the population by plain level (`level_population`), everything
    (`all_series`), the rest (`below_level`), the real series alone, bands of plain level and families.
    For a burst, "level" is its true level (as above) and φ the baseline's at its start.

Composites
    `composites_per_seed` extra backgrounds per seed, each the sum of k real place×category series
    (k uniform in 10 … 120, drawn with replacement), each rotated by a random whole number of weeks
    (weekly rhythm kept; the rotation's seam is a real discontinuity the detector must live with).
    They stand for the busier street × category series of a district; the real aggregates of this
    sample rarely reach the detectable level.
"""

from __future__ import annotations

import csv
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from zhengshu.appeals.signals import (
    DEFAULT_PARAMS,
    SignalParams,
    check_day,
    class_factors,
    day_classes,
    detectable_level,
)
from zhengshu.errors import InvalidInput

FILES = ("teddycup2020_hotspot_messages.csv", "teddycup2020_replies.csv")
REQUIRED = ("留言编号", "留言主题", "留言详情", "留言时间_iso")
PLACE = re.compile(r"A\d{1,2}[区县市]")
CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("交通运输", ("公交", "交通", "地铁", "出租", "车站", "高速", "停车", "驾驶", "车辆", "客运")),
    ("教育文体", ("学校", "教育", "学生", "老师", "教师", "幼儿园", "小学", "中学", "学位", "招生", "体育")),
    ("卫生健康", ("医院", "医疗", "医生", "卫生", "疫苗", "健康", "生育")),
    (
        "劳动和社会保障",
        ("社保", "工资", "医保", "养老", "就业", "退休", "公积金", "劳动", "人才", "工伤", "失业", "低保"),
    ),
    ("环境保护", ("污染", "噪音", "噪声", "环境", "排放", "臭", "垃圾", "粉尘", "油烟", "扰民")),
    (
        "城乡建设",
        (
            "小区",
            "物业",
            "房",
            "拆迁",
            "施工",
            "道路",
            "路",
            "建设",
            "工程",
            "开发商",
            "业主",
            "安置",
            "电梯",
        ),
    ),
    ("市场监管", ("商家", "消费", "价格", "收费", "商户", "公司", "经营", "执照", "食品", "传销", "退款")),
)
MIN_BURST_DAYS, MAX_BURST_DAYS = 3, 7
MULTIPLIER = 3.0


@dataclass(frozen=True)
class Message:
    day: date
    place: str
    category: str


def place_of(title: str, body: str) -> str:
    for text in (title, body[:200]):
        match = PLACE.search(text)
        if match:
            return match.group(0)
    return "A市" if "A市" in title or "A市" in body[:200] else "未注明"


def category_of(title: str) -> str:
    for category, words in CATEGORY_RULES:
        if any(word in title for word in words):
            return category
    return "其他"


def load_messages(data_dir: Path) -> list[Message]:
    seen: dict[str, Message] = {}
    for name in FILES:
        path = data_dir / name
        if not path.is_file():
            raise InvalidInput(f"找不到数据文件 {path}")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInput(f"{name} 缺少列：{'、'.join(missing)}")
            for row in reader:
                try:
                    day = datetime.fromisoformat(row["留言时间_iso"].strip()).date()
                except ValueError:
                    continue
                title, body = row["留言主题"] or "", row["留言详情"] or ""
                seen.setdefault(row["留言编号"], Message(day, place_of(title, body), category_of(title)))
    return list(seen.values())


def build_series(messages: Iterable[Message], start: date, end: date) -> dict[str, tuple[str, np.ndarray]]:
    """name → (family, daily counts from `start` to `end` inclusive)."""
    days = (end - start).days + 1
    fine: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros(days, dtype=np.int64))
    for message in messages:
        index = (message.day - start).days
        if 0 <= index < days:
            fine[(message.place, message.category)][index] += 1
    series: dict[str, tuple[str, np.ndarray]] = {}
    places: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(days, dtype=np.int64))
    categories: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(days, dtype=np.int64))
    for (place, category), counts in sorted(fine.items()):
        series[f"{place}·{category}"] = ("place×category", counts)
        places[place] = places[place] + counts
        categories[category] = categories[category] + counts
    for place, counts in sorted(places.items()):
        series[place] = ("place", counts)
    for category, counts in sorted(categories.items()):
        series[category] = ("category", counts)
    for (a, counts_a), (b, counts_b) in combinations(sorted(places.items()), 2):
        series[f"{a}+{b}"] = ("place pair", counts_a + counts_b)
    series["全部"] = ("total", sum(places.values(), np.zeros(days, dtype=np.int64)))
    return series


@dataclass(frozen=True)
class Burst:
    family: str
    level: float
    dispersion: float
    delay: int | None


@dataclass(frozen=True)
class Day:
    family: str
    level: float
    dispersion: float
    alarm: bool


def composites(
    pool: list[np.ndarray], count: int, rng: np.random.Generator, sizes: tuple[int, int] = (10, 120)
) -> list[np.ndarray]:
    """Sums of k real fine series (k uniform in `sizes`, drawn with replacement), each rotated by a
    random whole number of weeks: levels of a large street's category, real clumps and weekly rhythm."""
    made = []
    days = len(pool[0])
    for _ in range(count):
        k = int(rng.integers(sizes[0], sizes[1] + 1))
        total = np.zeros(days, dtype=np.int64)
        for index in rng.integers(0, len(pool), size=k):
            total += np.roll(pool[index], 7 * int(rng.integers(0, days // 7)))
        made.append(total)
    return made


def _true_level(counts: np.ndarray, day: int) -> float:
    """Mean daily count over the 8 whole weeks centred on `day` (clipped to the span by whole weeks)."""
    start = max(0, day - 28)
    end = min(len(counts), start + 56)
    start = max(0, end - 56)
    return float(counts[start:end].mean())


def _scan_days(
    family: str,
    counts: np.ndarray,
    classes: np.ndarray,
    tested: range,
    params: SignalParams,
    rhythm: np.ndarray,
) -> list[Day]:
    days = []
    for day in tested:
        check = check_day(counts, classes, day, params, rhythm)
        days.append(Day(family, check.level, check.dispersion, check.alarm))
    return days


def _inject(
    family: str,
    counts: np.ndarray,
    classes: np.ndarray,
    tested: range,
    params: SignalParams,
    rhythm: np.ndarray,
    rhythm_factors: np.ndarray,
    rng: np.random.Generator,
) -> Burst:
    first = int(rng.integers(tested.start, len(counts) - 1))
    duration = int(rng.integers(MIN_BURST_DAYS, MAX_BURST_DAYS + 1))
    level = _true_level(counts, first)
    days = np.arange(first, min(first + duration, len(counts)))
    injected = counts.copy()
    injected[days] += rng.poisson((MULTIPLIER - 1) * level * rhythm_factors[classes[days]])
    delay = None
    for day in (first, first + 1):
        if day < len(counts) and check_day(injected, classes, day, params, rhythm).alarm:
            delay = day - first
            break
    baseline_dispersion = check_day(counts, classes, first, params, rhythm).dispersion
    return Burst(family, level, baseline_dispersion, delay)


def summarise(bursts: list[Burst], days: list[Day]) -> dict[str, Any]:
    detected = [b.delay for b in bursts if b.delay is not None]
    alarms = sum(d.alarm for d in days)
    weeks = len(days) / 7
    return {
        "detection_rate": round(len(detected) / len(bursts), 4) if bursts else None,
        "median_delay_days": statistics.median(detected) if detected else None,
        "false_alarms_per_100_series_weeks": round(100 * alarms / weeks, 3) if weeks else None,
        "bursts": len(bursts),
        "detected": len(detected),
        "false_alarms": alarms,
        "series_weeks": round(weeks, 1),
    }


def run(
    data_dir: Path,
    seeds: list[int],
    bursts_per_series: int = 10,
    composites_per_seed: int = 100,
    start: date = date(2019, 1, 1),
    end: date = date(2019, 12, 31),
    params: SignalParams = DEFAULT_PARAMS,
) -> dict[str, Any]:
    began = time.perf_counter()
    if end <= start + timedelta(days=params.history_days + 14):
        raise InvalidInput("时间跨度太短：至少需要基线窗口加两周")
    series = build_series(load_messages(data_dir), start, end)
    classes = day_classes(start, (end - start).days + 1)
    total = series["全部"][1]
    rhythm_factors = np.asarray(class_factors(total.astype(float), classes, 0.0))
    threshold = detectable_level(params, MULTIPLIER)
    tested = range(params.history_days, len(total))
    pool = [counts for family, counts in series.values() if family == "place×category"]

    days: list[Day] = []
    for family, counts in series.values():
        days += _scan_days(family, counts, classes, tested, params, total)
    bursts: list[Burst] = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        backgrounds = list(series.values())
        backgrounds += [("composite", c) for c in composites(pool, composites_per_seed, rng)]
        for family, counts in backgrounds[len(series) :]:
            days += _scan_days(family, counts, classes, tested, params, total)
        for family, counts in backgrounds:
            for _ in range(bursts_per_series):
                bursts.append(_inject(family, counts, classes, tested, params, total, rhythm_factors, rng))

    def eligible(item: Burst | Day) -> bool:
        return item.level >= threshold

    def effective(item: Burst | Day) -> bool:
        return item.level / item.dispersion >= threshold

    result = summarise([b for b in bursts if effective(b)], [d for d in days if effective(d)])
    bands = (
        (0, threshold / 4),
        (threshold / 4, threshold),
        (threshold, 2 * threshold),
        (2 * threshold, 4 * threshold),
        (4 * threshold, float("inf")),
    )
    result.update(
        {
            "population": f"bursts and series-days whose effective level (baseline level / dispersion) is "
            f">= {threshold}/day, the level at which the method catches a {MULTIPLIER:g}x burst within "
            "2 days with 90% power on a Poisson series",
            "level_population": summarise(
                [b for b in bursts if eligible(b)], [d for d in days if eligible(d)]
            ),
            "all_series": summarise(bursts, days),
            "detectable_level_per_day": threshold,
            "series": len(series),
            "composite_series": composites_per_seed * len(seeds),
            "seeds": seeds,
            "bursts_per_series": bursts_per_series,
            "span": f"{start.isoformat()}..{end.isoformat()}",
            "below_level": summarise(
                [b for b in bursts if not effective(b)], [d for d in days if not effective(d)]
            ),
            "real_series_only": summarise(
                [b for b in bursts if effective(b) and b.family != "composite"],
                [d for d in days if effective(d) and d.family != "composite"],
            ),
            # Bands of the plain baseline level (appeals per day), whatever the dispersion.
            "by_level_band": {
                f"{low:.2f}-{high:.2f}": summarise(
                    [b for b in bursts if low <= b.level < high], [d for d in days if low <= d.level < high]
                )
                for low, high in bands
            },
            "by_family": {
                family: summarise(
                    [b for b in bursts if b.family == family], [d for d in days if d.family == family]
                )
                for family in sorted({b.family for b in bursts})
            },
            "params": {
                "window_days": params.window_days,
                "guard_days": params.guard_days,
                "alpha": params.alpha,
                "min_count": params.min_count,
                "min_ratio": params.min_ratio,
            },
            "seconds": round(time.perf_counter() - began, 1),
        }
    )
    return result


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"种子须为逗号分隔的整数：{text}") from None
    if not seeds:
        raise InvalidInput("至少需要一个随机种子")
    return seeds
