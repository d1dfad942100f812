"""`zhengshu bench guide`: the assistant's item retrieval on an item file and questions in people's
words. Items are matched by name, as the questions name them: any item of that name counts (the
same item of two implementing bodies shares its name), and so does any name in `also_ok`.

Query lines: {"qid", "question", "item", "also_ok"?}. A line whose `item` is empty asks something no
item answers; it counts only toward `unknown_said`, the share the assistant answers with "I do not
know" (and the offer of a person) rather than an item."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from zhengshu.errors import InvalidInput
from zhengshu.guide.assistant import ReplyKind, answer
from zhengshu.guide.item_files import read_item_file
from zhengshu.guide.retrieval import ItemIndex

TOP = 3


def read_queries(paths: Sequence[Path]) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                query = json.loads(line)
                question, item = query["question"], query.get("item", "")
            except (ValueError, KeyError, TypeError):
                raise InvalidInput(
                    f"{path.name} 第 {number} 行不是有效的问题（需要 question 和 item）"
                ) from None
            also = query.get("also_ok") or []
            queries.append({"question": str(question), "names": {str(item), *map(str, also)} - {""}})
    return queries


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else 0.0


def run(
    items_path: Path, query_paths: Sequence[Path], progress: Callable[[str], None] = print
) -> dict[str, Any]:
    item_file = read_item_file(items_path.name, items_path.read_bytes())
    records = item_file.records
    progress(f"{len(records)} 个事项（{len(item_file.rejected)} 行有错未用），建索引…")
    started = time.perf_counter()
    index = ItemIndex(records)
    index_seconds = time.perf_counter() - started
    queries = read_queries(query_paths)
    answerable = [q for q in queries if q["names"]]
    unanswerable = [q for q in queries if not q["names"]]
    at_1 = at_3 = 0
    timings: list[float] = []
    for query in answerable:
        started = time.perf_counter()
        hits = index.search(query["question"], TOP)
        timings.append((time.perf_counter() - started) * 1000)
        names = [hit.name for hit in hits]
        at_1 += bool(names[:1]) and names[0] in query["names"]
        at_3 += any(name in query["names"] for name in names)
    said_unknown = 0
    for query in unanswerable:
        try:
            said_unknown += answer(index, query["question"]).kind in (ReplyKind.UNKNOWN, ReplyKind.SMALL_TALK)
        except InvalidInput:
            said_unknown += 1
    answered_unknown = sum(answer(index, q["question"]).kind is ReplyKind.UNKNOWN for q in answerable)
    count = len(answerable) or 1
    return {
        "questions": len(answerable),
        "item_recall@1": round(at_1 / count, 3),
        "item_recall@3": round(at_3 / count, 3),
        "p50_ms": round(statistics.median(timings), 2) if timings else 0.0,
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "items": len(records),
        "index_seconds": round(index_seconds, 2),
        "unanswerable": len(unanswerable),
        "unknown_said": round(said_unknown / len(unanswerable), 3) if unanswerable else None,
        "answerable_said_unknown": round(answered_unknown / count, 3),
    }
