"""A question made ready for retrieval: its content words, its verbatim phrases, its answer type.

People ask "北京市对于暂停举办的展会有何支持政策？": the question words (有何, 哪些, 怎样) never
occur in a document, so under BM25 they are rare words that match nothing and only add noise; they
are dropped. Quoted text and long stretches without punctuation are kept as phrases, because the
wording people copy from a document must find that document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhengshu.search.questions import QUESTION_WORDS
from zhengshu.text.normalize import normalize_text
from zhengshu.text.segment import STOPWORDS, segment, terms

__all__ = [
    "Query",
    "bigrams",
    "content_of",
    "longest_common_run",
    "places_of",
    "prepare",
]

# Quoted text: “…”, 「…」, "…", 《…》 (a document's title).
_QUOTED = re.compile(r"[“「『\"《]([^”」』\"》]{2,60})[”」』\"》]")
# Stretches between punctuation, the candidates for verbatim phrases.
_CLAUSE_BREAK = re.compile(r"[\s，。！？、；：,.!?;:（）()“”「」『』\"《》]+")
_NUMBER = re.compile(r"\d")
_WORD = re.compile(r"\w")
_PHRASE_MIN = 6
# Answer-type cues: a question asking for a number, a date or a place/organisation.
_ASKS_NUMBER = re.compile(r"多少|几[个家项天月年次人条]|多大|多高|比例|金额|标准")
_ASKS_TIME = re.compile(r"何时|什么时候|哪天|时间|期限|日期|多久|截止")
# Places a question names: a province-level name anywhere, or a word with an administrative
# suffix (平凉市, 宝山区, 坂田街道), kept without its suffix since documents write both "北京" and
# "北京市". A question about one place is rarely answered by another place's document.
_PROVINCES = re.compile(
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_PLACE_WORD = re.compile(r"^([\u4e00-\u9fff]{2,8}?)(?:省|市|自治区|自治州|州|新区|区|县|旗|盟|镇|乡|街道)$")
# Words of that shape that name no place.
_NOT_PLACE_TEXT = """
高新区 保税区 自贸区 功能区 风险区 重灾区 管控区 封控区 生活区 办公区 工业区 商业区 住宅区
居住区 隔离区 缓冲区 污染区 服务区 保护区 集聚区 聚集区"""
_NOT_PLACES = frozenset(_NOT_PLACE_TEXT.split())
_NOT_PLACE_ENDINGS = ("开发区", "园区", "示范区", "试验区", "地区", "城区", "小区", "社区", "自治区")


def quoted_phrases(text: str) -> tuple[str, ...]:
    """Text put in quotes (“…”, 「…」, "…", 《…》): wording that must appear as it is."""
    return tuple(q.strip() for q in _QUOTED.findall(text) if len(q.strip()) >= 2)


@dataclass(frozen=True)
class Query:
    text: str  # normalised question
    words: tuple[str, ...]  # content words for BM25
    phrases: tuple[str, ...]  # verbatim stretches a passage may contain, longest first
    quoted: tuple[str, ...]  # text the asker put in quotes
    asks_number: bool
    asks_time: bool
    # Character bigrams of the question's content (question words and stopwords taken out, the
    # rest joined): a passage holding them holds the question's phrases, not only its words.
    content_bigrams: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()  # places the question names (places_of)


def prepare(question: str) -> Query:
    text = normalize_text(question).strip()
    words = tuple(w for w in terms(text) if w not in QUESTION_WORDS)
    quoted = quoted_phrases(text)
    # The whole question too: wording pasted from a document keeps its 、 and ，.
    clauses = [c for c in _CLAUSE_BREAK.split(text) if len(c) >= _PHRASE_MIN]
    candidates = set(clauses) | {q for q in quoted if len(q) >= _PHRASE_MIN}
    if _CLAUSE_BREAK.search(text.strip("？?。！! ")):
        candidates.add(text.strip("？?。！! "))
    phrases = tuple(sorted(candidates, key=len, reverse=True))
    return Query(
        text=text,
        words=words,
        phrases=phrases,
        quoted=quoted,
        asks_number=bool(_ASKS_NUMBER.search(text)),
        asks_time=bool(_ASKS_TIME.search(text)),
        content_bigrams=bigrams(content_of(text)),
        places=places_of(text),
    )


def places_of(text: str) -> tuple[str, ...]:
    """The places a text names, each once, without administrative suffix ("甘肃省平凉市" gives
    甘肃, 平凉)."""
    found = [m.group(0) for m in _PROVINCES.finditer(text)]
    for token in segment(text):
        match = _PLACE_WORD.match(token)
        if (
            match
            and token not in _NOT_PLACES
            and not token.endswith(_NOT_PLACE_ENDINGS)
            and not _PROVINCES.search(token)
        ):
            found.append(match.group(1))
    return tuple(dict.fromkeys(found))


def content_of(text: str) -> str:
    """The question's content: its words without question words, stopwords and punctuation,
    joined (so "办理护照需要什么材料" gives "办理护照材料")."""
    kept = [
        token
        for token in segment(text)
        if token.strip() and _WORD.search(token) and token not in QUESTION_WORDS and token not in STOPWORDS
    ]
    return "".join(kept)


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[at : at + 2] for at in range(len(text) - 1))


def longest_common_run(needle: str, haystack: str) -> int:
    """Length of the longest substring of `needle` that occurs in `haystack`. A binary search on
    the length (a run of n implies one of n - 1), each step a few C-level `in` tests."""
    low, high = 0, len(needle)
    while low < high:
        size = (low + high + 1) // 2
        if any(needle[at : at + size] in haystack for at in range(len(needle) - size + 1)):
            low = size
        else:
            high = size - 1
    return low


def has_number(text: str) -> bool:
    return bool(_NUMBER.search(text))
