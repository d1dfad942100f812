"""Repeat appeals after closure: the outside signal that a matter was closed without being solved.

An appeal counts as a repeat of an earlier one when it is filed after the earlier one was replied to and
its title says nearly the same thing (character-bigram Jaccard similarity ≥ REPEAT_SIMILARITY). Titles
are what people restate when they come back ("再次请求…", "第二次反映…"); whole letters vary too much.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from zhengshu.text.shingles import char_bigrams

__all__ = ["REPEAT_SIMILARITY", "repeat_counts", "title_similarity"]

REPEAT_SIMILARITY = 0.6
# Words people add when they come back; they must not make two titles look different.
_RESTATEMENT = re.compile(r"再次|又一次|第[二三四五六七八九十\d]+次|多次|再|重新|继续|还是|仍然|仍|依然")


def _bigrams(title: str) -> frozenset[str]:
    return char_bigrams(_RESTATEMENT.sub("", title))


def title_similarity(first: str, second: str) -> float:
    a, b = _bigrams(first), _bigrams(second)
    return len(a & b) / len(a | b) if a and b else 0.0


Entry = tuple[str, str, datetime | None, datetime | None]  # id, title, filed, replied


def repeat_counts(entries: Sequence[Entry]) -> dict[str, int]:
    """For each id, how many other entries on the same matter were filed after its reply."""
    grams = [_bigrams(title) for _, title, _, _ in entries]
    index: dict[str, list[int]] = defaultdict(list)
    for position, gram_set in enumerate(grams):
        for gram in gram_set:
            index[gram].append(position)
    counts: dict[str, int] = {}
    for position, (appeal_id, _title, _filed, replied) in enumerate(entries):
        if replied is None or not grams[position]:
            continue
        overlap: dict[int, int] = defaultdict(int)
        for gram in grams[position]:
            for other in index[gram]:
                if other != position:
                    overlap[other] += 1
        total = 0
        for other, shared in overlap.items():
            union = len(grams[position]) + len(grams[other]) - shared
            later = entries[other][2]
            if shared / union >= REPEAT_SIMILARITY and later is not None and later > replied:
                total += 1
        counts[appeal_id] = total
    return counts
