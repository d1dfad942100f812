"""`zhengshu bench closure`: audit every reply of a message-board CSV for 形式办结.

Writes one JSON line per reply `{"id", "flagged", "score", "reasons"}` and returns the counts and timings
(and, given a labels file of `id,closed_on_paper`, precision and recall against it). The outside signals
come from the file itself: a later message on the same matter filed after the reply counts as a repeat
appeal, and the reply time is the span between the two timestamps.
"""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from zhengshu.appeals.closure_audit import AppealReply, OutsideSignals, audit_reply, reply_days
from zhengshu.appeals.closure_repeats import repeat_counts
from zhengshu.errors import InvalidInput

ID, TITLE, CONTENT, REPLY = "留言编号", "留言主题", "留言详情", "答复意见"
FILED = ("留言时间_iso", "留言时间")
REPLIED = ("答复时间_iso", "答复时间")
REQUIRED = (ID, TITLE, CONTENT, REPLY)


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    content: str
    reply: str
    filed: datetime | None
    replied: datetime | None


def _parse_time(value: str | None) -> datetime | None:
    value = (value or "").strip()
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def _first(record: dict[str, str], names: Iterable[str]) -> str | None:
    for name in names:
        if record.get(name):
            return record[name]
    return None


def read_rows(path: Path) -> list[Row]:
    if not path.is_file():
        raise InvalidInput(f"找不到输入文件：{path}")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInput(
                    f"CSV 缺少必需的列：{'、'.join(missing)}（需要 {'、'.join(REQUIRED)}，"
                    f"可选 {FILED[0]}、{REPLIED[0]}）"
                )
            rows = [
                Row(
                    id=(record.get(ID) or "").strip(),
                    title=record.get(TITLE) or "",
                    content=record.get(CONTENT) or "",
                    reply=record.get(REPLY) or "",
                    filed=_parse_time(_first(record, FILED)),
                    replied=_parse_time(_first(record, REPLIED)),
                )
                for record in reader
            ]
    except UnicodeDecodeError:
        raise InvalidInput("输入文件不是 UTF-8 编码的 CSV") from None
    except csv.Error as error:
        raise InvalidInput(f"CSV 格式有误：{error}") from None
    if not rows:
        raise InvalidInput("CSV 中没有数据行")
    return rows


def read_labels(path: Path) -> dict[str, int]:
    if not path.is_file():
        raise InvalidInput(f"找不到标注文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if set(reader.fieldnames or []) < {"id", "closed_on_paper"}:
            raise InvalidInput("标注文件需要 id、closed_on_paper 两列")
        labels = {}
        for number, record in enumerate(reader, start=2):
            value = (record["closed_on_paper"] or "").strip()
            if value not in ("0", "1"):
                raise InvalidInput(f"标注文件第 {number} 行：closed_on_paper 只能是 0 或 1")
            labels[record["id"].strip()] = int(value)
    return labels


def _json_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _agreement(flags: dict[str, bool], labels: dict[str, int]) -> dict[str, Any]:
    known = [key for key in labels if key in flags]
    tp = sum(1 for key in known if flags[key] and labels[key])
    fp = sum(1 for key in known if flags[key] and not labels[key])
    fn = sum(1 for key in known if not flags[key] and labels[key])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "labelled": len(known),
        "labelled_positive": sum(labels[key] for key in known),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def run(input_path: Path, output_path: Path, labels_path: Path | None = None) -> dict[str, Any]:
    labels = read_labels(labels_path) if labels_path else None
    started = time.perf_counter()
    rows = read_rows(input_path)
    repeats = repeat_counts([(row.id, row.title, row.filed, row.replied) for row in rows])
    read_seconds = time.perf_counter() - started
    flags: dict[str, bool] = {}
    reasons_seen: dict[str, int] = defaultdict(int)
    audit_started = time.perf_counter()
    with output_path.open("w", encoding="utf-8") as out:
        for row in rows:
            signals = OutsideSignals(
                repeat_appeals=repeats.get(row.id, 0), reply_days=reply_days(row.filed, row.replied)
            )
            audit = audit_reply(AppealReply(row.title, row.content, row.reply, signals))
            flags[row.id] = audit.flagged
            for reason in audit.reasons:
                if audit.flagged and reason.points > 0:
                    reasons_seen[reason.code] += 1
            line = {
                "id": _json_id(row.id),
                "flagged": audit.flagged,
                "score": audit.score,
                "reasons": audit.messages,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    audit_seconds = time.perf_counter() - audit_started
    result: dict[str, Any] = {
        "replies": len(rows),
        "flagged": sum(flags.values()),
        "flag_share": round(sum(flags.values()) / len(rows), 4),
        "empty_replies": sum(1 for row in rows if not row.reply.strip()),
        "with_repeat_appeal": sum(1 for count in repeats.values() if count),
        "reasons_on_flagged": dict(sorted(reasons_seen.items(), key=lambda item: -item[1])),
        "read_seconds": round(read_seconds, 2),
        "audit_seconds": round(audit_seconds, 2),
        "replies_per_second": round(len(rows) / audit_seconds, 1) if audit_seconds else None,
    }
    if labels is not None:
        result.update(_agreement(flags, labels))
    return result
