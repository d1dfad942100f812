"""How people say it, and how a 办事指南 writes it.

"驾照掉了咋整" and 「机动车驾驶证遗失补领」 share no word: people use their own words (驾照, 掉了, 开个店,
退休金) where the guide uses formal ones (机动车驾驶证, 遗失补领, 设立登记, 养老保险待遇). The table in
data/colloquial.txt maps the first to the second; a question's search adds the guide's words, at a
lower weight than the words asked."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from zhengshu.text.normalize import normalize_text
from zhengshu.text.segment import segment, terms

_FILE = "colloquial.txt"
# People's phrases this long also match with their characters scattered over a short stretch of the
# question (another order, other words between them), like people rephrase them.
SCATTERED_MIN = 3
SCATTERED_SPAN = 2
_lock = threading.Lock()
_loaded: Vocabulary | None = None


@dataclass(frozen=True)
class Vocabulary:
    # People's word → the guide's words it stands for.
    guide_words: Mapping[str, tuple[str, ...]]
    # People's words of two characters or more, longest first (matched inside the question's text);
    # one-character words are matched only as whole words of the segmented question.
    long_words: tuple[str, ...]
    # The characters of each people's word long enough to match scattered.
    scattered: Mapping[str, frozenset[str]]

    def expansion(self, question: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The people's words found in the question, each with the guide's search terms it adds."""
        text = normalize_text(question)
        found: list[str] = []
        covered = text
        chars = set(text)
        for word in self.long_words:
            if word in covered:
                found.append(word)
                # A longer word claims its characters: 去香港 does not also count as 香港's words.
                covered = covered.replace(word, "\0")
            elif word in self.scattered and self.scattered[word] <= chars and _scattered_in(word, text):
                found.append(word)
        tokens = set(segment(text))
        found += [w for w in self.guide_words if len(w) == 1 and w in tokens]
        return tuple(
            (word, tuple(dict.fromkeys(t for g in self.guide_words[word] for t in terms(g))))
            for word in found
        )


def _scattered_in(word: str, text: str) -> bool:
    """Whether every character of the phrase occurs in one stretch of the text at most
    SCATTERED_SPAN times the phrase's length: "税能不能晚点交" says 晚点交税 in other words."""
    span = len(word) * SCATTERED_SPAN
    needed = set(word)
    return any(
        char in needed and needed <= set(text[start : start + span]) for start, char in enumerate(text)
    )


def parse(text: str) -> Vocabulary:
    mapping: dict[str, list[str]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count("=") != 1:
            raise ValueError(f"{_FILE} 第 {number} 行应为「指南用词 = 群众用词」")
        left, right = (part.split() for part in line.split("="))
        if not left or not right:
            raise ValueError(f"{_FILE} 第 {number} 行两边都不能为空")
        for word in right:
            targets = mapping.setdefault(normalize_text(word), [])
            targets.extend(w for w in left if w not in targets)
    long_words = tuple(sorted((w for w in mapping if len(w) > 1), key=len, reverse=True))
    scattered = {w: frozenset(w) for w in long_words if len(w) >= SCATTERED_MIN}
    return Vocabulary({w: tuple(t) for w, t in mapping.items()}, long_words, scattered)


def vocabulary() -> Vocabulary:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                source = resources.files("zhengshu.guide") / "data" / _FILE
                _loaded = parse(source.read_text(encoding="utf-8"))
    return _loaded
