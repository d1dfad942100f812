"""Reading a conditions text (受理条件) clause by clause: the clauses that may state requirements
(not those in a list of grounds for refusal or cancellation), whether a phrase in a clause is a
plain requirement on the applicant, and the stable key of a condition read."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from zhengshu.guide.condition_types import AgeRule, Condition, ConditionKind

__all__ = ["ALTERNATIVE", "FORBIDS", "NUMBER", "Clause", "make_condition", "plain", "split_clauses"]

NUMBER = r"(?:\d{1,3}|[一二三四五六七八九十两]{1,4})"
_CLAUSE_BREAK = re.compile(r"[；;。\n：:]|(?:^|\s)(?:\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)])")
_NEGATIVE_HEADER = re.compile(r"(?:下列|以下)(?:情形|情况)之一|情形之一的|(?:下列|以下)情形")
_NEGATIVE_WORD = re.compile(r"注销|免职|撤销|不予|不得|吊销|失效|取消|终止|不能|禁止|不受理|不准|不适用")
_POSITIVE_HEADER = re.compile(
    r"(?:符合|具备|满足|具有)(?:下列|以下)|(?:下列|以下|申请|报名|认定|任职)条件|可以申请|可提出|方可申请"
)
# A clause that forbids, waives or reads as "if … then": the phrase in it is not a plain requirement.
FORBIDS = re.compile(r"不得|不予|不能|禁止|不受[^，,]{0,30}限制|不适用")
_OTHER_PERSON = re.compile(
    r"子女|配偶(?!关系)|父母|被监护人|监护人|家属|亲属|随同|股东|董事|监事|法定代表人|负责人|设立人|举办者|合伙人"
)
_SUB_CASE = re.compile(r"的[，,]")
# 「…的本市户籍居民，或在本市居住的…」, 「…以及在本市就读的学生」: one of several groups may apply,
# so what one group must meet is no condition on every applicant.
ALTERNATIVE = re.compile(r"或者|或是|[，,]\s*(?:或|以及)")


@dataclass(frozen=True)
class Clause:
    text: str


def split_clauses(text: str) -> Iterator[Clause]:
    """The clauses that may state requirements: those in a list of grounds for refusal or
    cancellation are left out, up to a header that lists conditions again."""
    excluded = False
    for piece in _CLAUSE_BREAK.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if _POSITIVE_HEADER.search(piece) and not _NEGATIVE_WORD.search(piece):
            excluded = False
        if _NEGATIVE_HEADER.search(piece) and _NEGATIVE_WORD.search(piece):
            excluded = True
            continue
        if not excluded:
            yield Clause(piece)


def plain(clause: str, start: int, end: int, *, other_person_ok: bool = False) -> bool:
    """Whether the phrase at clause[start:end] reads as a plain requirement on the applicant."""
    if FORBIDS.search(clause):
        return False
    before = clause[:start]
    if _SUB_CASE.search(before):
        return False
    if not other_person_ok and _OTHER_PERSON.search(clause):
        return False
    return not ALTERNATIVE.search(clause)


def make_condition(
    kind: ConditionKind,
    requirement: str,
    question: str,
    source: str,
    *,
    age_rules: tuple[AgeRule, ...] = (),
    applicant_kind: str = "",
) -> Condition:
    key = f"{kind.value}-{zlib.crc32(requirement.encode()):08x}"
    return Condition(key, kind, requirement, question, source, age_rules, applicant_kind)
