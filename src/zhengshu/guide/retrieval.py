"""Finding the service items that answer a question, with the reasons of each hit.

Four indexes of the platform's engine (zhengshu.search.Bm25Index) over each item:

- ``title``: the words of its name, catalogue item, variant, the guide's short name and everyday
  keywords, and its FAQs' questions: what a question names;
- ``body``: everything a 办事指南 says (conditions, materials, body, themes, life events, FAQs), for
  questions that describe a situation rather than name the item;
- ``chars`` and ``body_chars``: the character pairs of the name and of the whole guide, which find
  "执业证" in 「律师执业证书」 and survive typos and the segmenter cutting a colloquial question
  differently from a formal title.

A question is searched with its own words and with the guide's words its colloquial ones stand for
(zhengshu.guide.vocabulary), at EXPANSION_WEIGHT. A hit's score is the weighted sum (``Weights``) of
its four similarities (each its BM25 score over the question's own, in [0, 1]), of ``coverage`` (the
share of the question's idf mass the item holds) and of ``name`` (the share of the item name's idf
mass the question says), less a penalty for information services (查询, 下载, 公示…) when the question
does not ask to look something up. The weights were chosen on benchmarks/guide_questions_dev.jsonl
and checked on guide_questions_dev2.jsonl; a logistic ranker fitted on one and scored on the other
did no better.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from zhengshu.guide.records import ItemRecord
from zhengshu.guide.vocabulary import vocabulary
from zhengshu.search import Bm25Index
from zhengshu.search.questions import QUESTION_WORDS
from zhengshu.text.normalize import normalize_text
from zhengshu.text.segment import is_dictionary_word, segment, terms
from zhengshu.text.shingles import char_pairs
from zhengshu.text.sounds import sound_of

__all__ = ["ItemHit", "ItemIndex", "Weights"]

CANDIDATES = 60
EXPANSION_WEIGHT = 0.8
PAIR_EXPANSION = 0.3
# Name suffixes of items that only show or hand out information.
_INFORMATION = re.compile(r"(查询|下载|公示|公告|公布|名录|名单|列表|目录)$")
_ASKS_INFORMATION = re.compile(r"查|下载|名单|名录|公示|看看|哪里有|有哪些|列表|咨询|介绍")
# Words of "how do I get it done" that every question may hold and no item is about.
_ERRAND_TEXT = "办 办理 办个 弄 搞 整 咋 咋整 咋办 咋弄 啥 要啥 干啥 怎么弄 怎么搞 去哪 哪办 在哪办"
_ERRAND_WORDS = frozenset(_ERRAND_TEXT.split())
_HANZI = re.compile(r"[\u4e00-\u9fff]{2,4}")


@dataclass(frozen=True)
class Weights:
    title: float = 1.0
    body: float = 0.4
    chars: float = 0.5
    coverage: float = 0.5
    name: float = 1.0
    body_chars: float = 1.0
    information_penalty: float = 0.3


@dataclass(frozen=True)
class ItemHit:
    code: str
    name: str
    score: float
    reasons: dict[str, float]


@dataclass(frozen=True)
class Asked:
    """A question as searched: its own words and the guide's words added for its colloquial ones."""

    words: tuple[str, ...]
    colloquial: tuple[str, ...]
    added: tuple[str, ...]
    # Each colloquial word found with the guide's terms it stands for.
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    pairs: tuple[str, ...]
    asks_information: bool
    text: str = ""


def prepare(question: str) -> Asked:
    text = normalize_text(question)
    words = tuple(w for w in terms(text) if w not in QUESTION_WORDS and w not in _ERRAND_WORDS)
    groups = vocabulary().expansion(text)
    added = tuple(dict.fromkeys(w for _, guide in groups for w in guide if w not in words))
    return Asked(
        words=words,
        colloquial=tuple(word for word, _ in groups),
        added=added,
        groups=groups,
        pairs=tuple(char_pairs(text)),
        text=text,
        asks_information=bool(_ASKS_INFORMATION.search(text)),
    )


def aliases(item: ItemRecord) -> list[str]:
    """The short name and everyday keywords the guide gives an item (简称, 日常用语; kept in its
    extra fields by the import), which people use rather than the formal name."""
    short = item.extra.get("short_name")
    keywords = item.extra.get("keywords")
    found = [short] if isinstance(short, str) and short else []
    if isinstance(keywords, list | tuple):
        found += [k for k in keywords if isinstance(k, str) and k]
    return found


def _typed_words(text: str) -> Iterable[str]:
    """The question's words of two to four Chinese characters, and each word joined with a
    one-character neighbour."""
    tokens = segment(text)
    for at, token in enumerate(tokens):
        if _HANZI.fullmatch(token):
            yield token
        if at + 1 < len(tokens) and 1 in (len(token), len(tokens[at + 1])):
            joined = token + tokens[at + 1]
            if _HANZI.fullmatch(joined):
                yield joined


def _title_text(item: ItemRecord) -> str:
    names = dict.fromkeys(n for n in (item.name, item.catalog_name, item.variant, *aliases(item)) if n)
    return " ".join([*names, *(faq.question for faq in item.faqs)])


def _body_text(item: ItemRecord) -> str:
    parts: list[str] = [
        _title_text(item),
        item.department,
        item.item_type,
        " ".join(item.themes),
        " ".join(item.life_events),
        item.conditions,
        " ".join(m.name for m in item.materials),
        " ".join(faq.answer for faq in item.faqs),
    ]
    return "\n".join(p for p in parts if p)


class ItemIndex:
    def __init__(self, items: Iterable[ItemRecord], weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        self.items: dict[str, ItemRecord] = {}
        self.title = Bm25Index()
        self.body = Bm25Index()
        self.chars = Bm25Index(char_pairs)
        self.body_chars = Bm25Index(char_pairs)
        self.words: dict[str, frozenset[str]] = {}
        self.name_words: dict[str, tuple[str, ...]] = {}
        # The words of item names by their sound: 认正 (typed) sounds like 认证 (in a name).
        self.sounds: dict[str, set[str]] = {}
        for item in items:
            self.add(item)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: ItemRecord) -> None:
        self.items[item.code] = item
        self.title.add(item.code, _title_text(item))
        body = terms(_body_text(item))
        self.body.add_terms(item.code, body)
        self.words[item.code] = frozenset(body)
        self.name_words[item.code] = tuple(dict.fromkeys(terms(item.name)))
        for word in self.name_words[item.code]:
            if _HANZI.fullmatch(word):
                self.sounds.setdefault(sound_of(word), set()).add(word)
        names = dict.fromkeys(n for n in (item.name, item.catalog_name, item.variant) if n)
        self.chars.add(item.code, " ".join(names))
        self.body_chars.add(item.code, _body_text(item))

    def remove(self, codes: Sequence[str]) -> None:
        for index in (self.title, self.body, self.chars, self.body_chars):
            index.remove(codes)
        for code in codes:
            self.items.pop(code, None)
            self.words.pop(code, None)
            self.name_words.pop(code, None)

    def _coverage_weights(self, asked: Asked) -> dict[str, float]:
        """Each word of the question with its idf (a word no item holds weighs the most)."""
        idf = self.body.idf(asked.words)
        unseen = self.body.idf_of_unseen()
        return {word: idf.get(word, unseen) for word in asked.words}

    def _coverage(self, asked: Asked, weigh: dict[str, float], held: frozenset[str]) -> float:
        """The share of the question's idf mass the item's text holds. A colloquial word counts as
        held when the item holds one of the guide's words it stands for (驾照 by 驾驶证)."""
        total = sum(weigh.values())
        if not total:
            return 0.0
        stood_for = [word for word, guide in asked.groups if any(g in held for g in guide)]
        covered = sum(
            value
            for word, value in weigh.items()
            if word in held or any(word in colloquial or colloquial in word for colloquial in stood_for)
        )
        return covered / total

    def _name_recall(self, asked: Asked, code: str) -> float:
        """The share of the item name's idf mass the question says, in its words, in the guide's
        words it stands for, or verbatim in its text."""
        words = self.name_words[code]
        if not words:
            return 0.0
        idf = self.title.idf(words)
        said = set(asked.words) | set(asked.added)
        total = sum(idf.values()) or 1.0
        return sum(v for w, v in idf.items() if w in said or w in asked.text) / total

    def sound_alikes(self, asked: Asked) -> Asked:
        """The question with the words of item names that sound like words of it that no item and no
        dictionary knows (a typist's wrong character of the right sound: 认正, 前注), added like
        colloquial words. A mistyped word is often cut apart (普通化 → 普通 / 化), so a word joined
        with a one-character neighbour is looked up too."""
        found: list[tuple[str, tuple[str, ...]]] = []
        for stretch in dict.fromkeys(_typed_words(asked.text)):
            if stretch in asked.colloquial:
                continue
            meant = self.sounds.get(sound_of(stretch), set()) - {stretch}
            if meant and not self.body.idf([stretch]) and not is_dictionary_word(stretch):
                found.append((stretch, tuple(sorted(meant))))
        if not found:
            return asked
        meant_words = [word for _, meant in found for word in meant if word not in asked.words]
        added = tuple(dict.fromkeys([*asked.added, *meant_words]))
        return replace(asked, added=added, groups=(*asked.groups, *found))

    def search(self, question: str, k: int = 10) -> list[ItemHit]:
        return self.search_asked(self.sound_alikes(prepare(question)), k)

    def search_asked(self, asked: Asked, k: int = 10) -> list[ItemHit]:
        words = [*asked.words, *asked.added]
        boosts = dict.fromkeys(asked.added, EXPANSION_WEIGHT)
        added_pairs = [p for p in dict.fromkeys(char_pairs(" ".join(asked.added))) if p not in asked.pairs]
        found = {
            "title": self.title.search_terms(words, CANDIDATES, boosts=boosts),
            "body": self.body.search_terms(words, CANDIDATES, boosts=boosts),
            "chars": self.chars.search_terms(asked.pairs, CANDIDATES),
            "body_chars": self.body_chars.search_terms(
                [*asked.pairs, *added_pairs], CANDIDATES, boosts=dict.fromkeys(added_pairs, PAIR_EXPANSION)
            ),
        }
        reasons: dict[str, dict[str, float]] = {}
        for kind, hits in found.items():
            for hit in hits:
                reasons.setdefault(str(hit.id), dict.fromkeys(found, 0.0))[kind] = hit.similarity
        w = self.weights
        weigh = self._coverage_weights(asked)
        ranked: list[ItemHit] = []
        for code, why in reasons.items():
            item = self.items[code]
            why["coverage"] = self._coverage(asked, weigh, self.words[code])
            why["name"] = self._name_recall(asked, code)
            score = (
                w.title * why["title"]
                + w.body * why["body"]
                + w.chars * why["chars"]
                + w.coverage * why["coverage"]
                + w.name * why["name"]
                + w.body_chars * why["body_chars"]
            )
            if not asked.asks_information and _INFORMATION.search(item.name):
                why["information"] = 1.0
                score -= w.information_penalty
            ranked.append(ItemHit(code, item.name, score, why))
        ranked.sort(key=lambda hit: (-hit.score, hit.code))
        return ranked[:k]
