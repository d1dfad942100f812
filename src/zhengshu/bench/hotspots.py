"""`zhengshu bench hotspots`: class cases and hot issues from a message-board CSV, or at scale.

The CSV has the columns of the 2020 Teddy Cup hotspot data: 留言编号, 留言用户, 留言主题, 留言时间,
留言详情, 反对数, 点赞数 (留言时间_iso optional). Nothing here knows that data: the same clustering runs
on the platform's appeals.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from zhengshu.appeals.hotspot_heat import ClassCase, is_severe_text, score
from zhengshu.appeals.hotspots import Message, cluster_messages
from zhengshu.errors import InvalidInput

REQUIRED_COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")
SYNTHETIC_DAYS = 30


@dataclass(frozen=True)
class Result:
    cases: list[ClassCase]
    figures: dict[str, Any]


def _parse_time(row: dict[str, str], line: int) -> datetime:
    for value in (row.get("留言时间_iso") or "", row.get("留言时间") or ""):
        for pattern in TIME_FORMATS:
            try:
                return datetime.strptime(value.strip(), pattern)
            except ValueError:
                continue
    raise InvalidInput(f"第 {line} 行的留言时间无法识别：“{row.get('留言时间', '')}”")


def _count(value: str | None, line: int, column: str) -> int:
    text = (value or "").strip() or "0"
    if not text.isdigit():
        raise InvalidInput(f"第 {line} 行的{column}不是非负整数：“{text}”")
    return int(text)


def read_messages(path: Path) -> list[Message]:
    """The messages of the CSV, or InvalidInput saying in Chinese what is wrong with it."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise InvalidInput(f"无法读取文件：{path}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件不是 UTF-8 编码的 CSV") from None
    if not text.strip():
        raise InvalidInput("CSV 文件是空的")
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(f"CSV 缺少列：{'、'.join(missing)}（需要 {'、'.join(REQUIRED_COLUMNS)}）")
    messages = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): v for k, v in row.items()}
        title, body = (row.get("留言主题") or "").strip(), (row.get("留言详情") or "").strip()
        if not title and not body:
            continue
        messages.append(
            Message(
                id=(row.get("留言编号") or "").strip() or f"第{line}行",
                title=title,
                body=body,
                created_at=_parse_time(row, line),
                appellant=(row.get("留言用户") or "").strip() or f"第{line}行",
                likes=_count(row.get("点赞数"), line, "点赞数"),
                severe=is_severe_text(title + body),
            )
        )
    if not messages:
        raise InvalidInput("CSV 中没有任何留言（主题和详情都为空）")
    return messages


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_NUMBER = re.compile(r"\d+")
_TITLE_PREFIXES = ("", "", "关于", "反映", "投诉", "请求解决", "再次反映")
_TITLE_SUFFIXES = ("", "", "问题", "的问题", "，望解决", "，请尽快处理")


def _vary(source: Message, donor: Message, rng: random.Random) -> tuple[str, str]:
    """Another appellant's wording of the same message: a sentence left out, one of another message
    added, numbers changed, the title framed differently."""
    sentences = [s for s in _SENTENCE_END.split(source.body) if s.strip()]
    if len(sentences) > 2:
        del sentences[rng.randrange(len(sentences))]
    extra = [s for s in _SENTENCE_END.split(donor.body) if s.strip()]
    if extra:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(extra))
    body = _NUMBER.sub(lambda m: str(rng.randrange(1, 10 ** len(m.group()))), "".join(sentences))
    title = rng.choice(_TITLE_PREFIXES) + source.title + rng.choice(_TITLE_SUFFIXES)
    return title, body


def synthetic(messages: Sequence[Message], total: int, seed: int = 7) -> list[Message]:
    """``total`` appeals over ``SYNTHETIC_DAYS`` days, every text distinct: the real messages, then
    variants of them (``_vary``) with new times and appellants; likes dropped as on the hotline."""
    rng = random.Random(seed)
    end = datetime(2026, 1, 31, 23, 59)
    users = max(total // 2, 1)
    seen: set[tuple[str, str]] = set()
    result = []
    for index in range(total):
        source = messages[index % len(messages)]
        title, body = source.title, source.body
        while (title, body) in seen:
            title, body = _vary(source, messages[rng.randrange(len(messages))], rng)
        seen.add((title, body))
        moment = end - timedelta(seconds=rng.randrange(SYNTHETIC_DAYS * 86400))
        result.append(
            Message(
                id=f"S{index:07d}",
                title=title,
                body=body,
                created_at=moment,
                appellant=f"U{rng.randrange(users)}",
                likes=None,
                severe=source.severe,
            )
        )
    return result


def run(messages: Sequence[Message], *, workers: int | None = None, top: int = 5) -> Result:
    workers = workers or min(2, os.cpu_count() or 1)
    started, cpu_started = time.perf_counter(), time.process_time()
    clustering = cluster_messages(messages, workers=workers)
    cases = score(clustering.clusters, messages, max(m.created_at for m in messages))
    total = time.perf_counter() - started
    worker_cpu = clustering.seconds.pop("read_worker_cpu", 0.0)
    seconds = {f"{step}_seconds": round(value, 2) for step, value in clustering.seconds.items()}
    figures: dict[str, Any] = {
        "messages": len(messages),
        "distinct_texts": len({(m.title, m.body) for m in messages}),
        "class_cases": len(cases),
        "messages_in_class_cases": sum(c.count for c in cases),
        "top": [
            {"rank": c.rank, "heat": c.heat, "count": c.count, "ids": len(c.message_ids)} for c in cases[:top]
        ],
        **seconds,
        "wall_seconds": round(total, 2),
        # This process and the reading workers: on a shared machine wall time overstates the cost.
        "cpu_seconds": round(time.process_time() - cpu_started + worker_cpu, 2),
        "workers": workers,
    }
    return Result(cases[:top], figures)


def describe(cases: Sequence[ClassCase]) -> str:
    """The hot issues as a person reads them."""
    lines = []
    for case in cases:
        span = f"{case.first_at:%Y-%m-%d} 至 {case.last_at:%Y-%m-%d}"
        lines.append(
            f"热点 {case.rank}  热度 {case.heat}  （{'，'.join(f'{k} {v}' for k, v in case.parts.items())}）"
        )
        lines.append(f"  代表标题：{case.title}")
        lines.append(f"  地点：{case.place or '（未识别）'}  关键词：{'、'.join(case.keywords[:6])}")
        likes = "—" if case.likes is None else str(case.likes)
        counts = f"诉求数 {case.count}  诉求人数 {case.appellants}  点赞 {likes}"
        lines.append(f"  时间：{span}  {counts}  趋势 {case.trend_label}")
        lines.append(f"  留言编号：{', '.join(case.message_ids)}")
    return "\n".join(lines)
