"""An appeal's search terms: the words of its title and content, as the similar-appeals index uses them.

Computed once, when the appeal is filed (zhengshu.appeals.intake), and stored space-separated in
`appeals.search_terms`, so that building the index after a restart reads words instead of running
the segmenter over every open appeal again. `search_terms` is the one function that makes them:
intake, the index (for appeals filed before the column existed) and the bench all call it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence

from zhengshu.text.segment import terms

# Below this many texts, forking workers costs more than it saves.
_PARALLEL_FROM = 2000


def appeal_text(title: str | None, content: str | None) -> str:
    """The text of an appeal as it is searched: its title, then its content."""
    return f"{title or ''}\n{content or ''}"


def search_terms(title: str | None, content: str | None) -> str:
    """The appeal's content words (zhengshu.text.segment.terms), space-separated, as stored.
    A word never holds whitespace (it is squeezed out), so `split()` gives the words back."""
    return " ".join("".join(word.split()) for word in terms(appeal_text(title, content)))


def words_of(stored: str) -> list[str]:
    return stored.split()


def search_terms_all(pairs: Sequence[tuple[str | None, str | None]], jobs: int = 1) -> list[str]:
    """`search_terms` of many (title, content) pairs, in `jobs` forked processes when more than one
    (jieba holds the GIL). Forked after the tokenizer is loaded, the workers share its dictionary."""
    if jobs <= 1 or len(pairs) < _PARALLEL_FROM:
        return [search_terms(title, content) for title, content in pairs]
    terms("")
    size = -(-len(pairs) // (jobs * 8))
    chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        results = pool.map(_chunk, chunks)
    return [stored for chunk in results for stored in chunk]


def _chunk(pairs: Sequence[tuple[str | None, str | None]]) -> list[str]:
    return [search_terms(title, content) for title, content in pairs]
