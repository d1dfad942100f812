"""Chinese word segmentation: jieba with the project's government dictionary.

One tokenizer for the whole product (classification, similar cases, hotspots, retrieval), so that
the same text always yields the same words. Street and community names from org/data are added
as whole words: "布吉街道" and "丽湖社区" must not split into pieces that match other places.
"""

from __future__ import annotations

import csv
import logging
import re
import threading
from importlib import resources

import jieba

from zhengshu.text.normalize import normalize_text

__all__ = ["STOPWORDS", "is_dictionary_word", "segment", "terms"]

_DICTIONARY = "gov_dict.txt"
_PLACE_FREQUENCY = 3000
_lock = threading.Lock()

# Function words and the formulas of appeal letters: they say nothing about what an appeal is about.
_STOPWORD_TEXT = """
的 了 和 与 及 或 是 在 有 也 就 都 而 但 又 并 很 还 把 被 让 给 对
从 向 于 以 为 之 其 这 那 我 你 他 她 它 我们 你们 他们 她们 本人 自己
大家 什么 怎么 怎么办 如何 为什么 哪里 哪个 多少 是否 一个 一些 这个 那个
这些 那些 这样 那样 因为 所以 如果 虽然 但是 而且 然后 现在 已经 可以 能
能否 会 要 想 请 请问 希望 恳请 麻烦 谢谢 感谢 您好 你好 尊敬 领导 政府
相关 部门 相关部门 问题 情况 反映 关于 进行 一下 一直 没有 不是 不能 不要
不会 还是 就是 只是 等 等等 啊 吗 呢 吧 呀 哦 嘛 了解 知道 非常 特别 十分
比较 需要 应该 得到 这种 那么 这么 之后 之前 以及 目前 今年 去年 时候 问 说
做 去 来 上 下 中"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_NUMBER = re.compile(r"^[\d.,%]+$")


def _place_names() -> list[str]:
    names: list[str] = []
    data = resources.files("zhengshu.org") / "data"
    for table in ("streets.csv", "communities.csv"):
        with (data / table).open(encoding="utf-8") as handle:
            names.extend(row["name"] for row in csv.DictReader(handle))
    # "布吉街道" is also written "布吉"; "丽湖社区" as "丽湖": keep both whole.
    names.extend(name.removesuffix("街道").removesuffix("社区") for name in list(names))
    return [name for name in names if len(name) >= 2]


_loaded: jieba.Tokenizer | None = None


def _tokenizer() -> jieba.Tokenizer:
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:  # loading takes seconds: two threads asking at once load it once
        if _loaded is None:
            _loaded = _load_tokenizer()
        return _loaded


def _load_tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    dictionary = resources.files("zhengshu.text") / "data" / _DICTIONARY
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, frequency, tag = line.split()
            tokenizer.add_word(word, int(frequency), tag)
    for name in _place_names():
        tokenizer.add_word(name, _PLACE_FREQUENCY, "ns")
    return tokenizer


def segment(text: str) -> list[str]:
    """Every token of the normalised text, punctuation and spaces included, in order."""
    return _tokenizer().lcut(normalize_text(text), HMM=True)


def terms(text: str) -> list[str]:
    """The content words: no punctuation, spaces, bare numbers or stopwords. Lower-cased Latin."""
    kept = []
    for token in segment(text):
        token = token.strip().lower()
        if not token or not _WORD.search(token) or _NUMBER.match(token) or token in STOPWORDS:
            continue
        kept.append(token)
    return kept


def is_dictionary_word(word: str) -> bool:
    """Whether the segmenter's dictionary (jieba's with the government words) knows the word: a
    word it does not know may be a typing mistake (认正 for 认证)."""
    return bool(_tokenizer().FREQ.get(word))
