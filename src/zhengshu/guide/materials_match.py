"""What an applicant's materials lack against those an item requires (申请材料), once
zhengshu.guide.material_names has paired them by name.

What comes out is a list of problems in terms of the data (missing, extra, a copy where the
original is required, paper where an electronic file is, expired, issued in the future, older
than the requirement allows); zhengshu.guide.prereview words them for people."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from zhengshu.guide.application_form import AttachedMaterial
from zhengshu.guide.material_names import Pair, match_materials
from zhengshu.guide.records import Material
from zhengshu.text.dates import DateProblem, read_day
from zhengshu.text.numerals import chinese_to_int

__all__ = [
    "MaterialProblem",
    "MaterialsCheck",
    "ProblemKind",
    "check_materials",
    "date_problems",
    "freshness",
    "is_conditional",
]


class ProblemKind(StrEnum):
    MISSING = "missing"
    MISSING_CONDITIONAL = "missing_conditional"  # optional, or only for some applicants
    EXTRA = "extra"
    NEEDS_ORIGINAL = "needs_original"
    NEEDS_COPY_TOO = "needs_copy_too"
    NEEDS_PAPER = "needs_paper"
    NEEDS_ELECTRONIC = "needs_electronic"
    BAD_DATE = "bad_date"
    EXPIRED = "expired"
    EXPIRES_BEFORE_DONE = "expires_before_done"
    ISSUED_IN_FUTURE = "issued_in_future"
    ENDS_BEFORE_ISSUED = "ends_before_issued"
    TOO_OLD = "too_old"
    FRESHNESS_UNKNOWN = "freshness_unknown"


@dataclass(frozen=True)
class MaterialProblem:
    kind: ProblemKind
    required: Material | None = None
    attached: AttachedMaterial | None = None
    # The bad date's field ("valid_until" / "issued_on"); what is wrong with it, or how recent the
    # material must be (6个月内); the date the problem is about.
    date_field: str = ""
    detail: str = ""
    day: date | None = None

    @property
    def name(self) -> str:
        """The material the problem is about, as the guide names it when it is a required one."""
        if self.required is not None:
            return self.required.name
        return self.attached.name if self.attached is not None else ""


@dataclass(frozen=True)
class MaterialsCheck:
    pairs: tuple[Pair, ...]
    problems: tuple[MaterialProblem, ...]


# --- what a requirement says beyond its name -----------------------------------------------------

# 「申请人未满16周岁未办理身份证的交验户口簿」, 「就学人员提交在学证明」, 「（影响交通安全的）」: a material
# only some applicants bring.
_CONDITIONAL = re.compile(
    r"的[）)]|的[，,]|的(?:交验|提交|提供|须|需)|(?<!^)(?:提交|交验|提供)(?!的|人)|^(?:如|若)|如有|如需|涉及"
)


def is_conditional(material: Material) -> bool:
    return material.optional or bool(_CONDITIONAL.search(material.name))


_FRESHNESS = re.compile(
    r"(?:近|最近)?(?P<n>\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(?P<unit>个月|日|天|周)(?:以)?内"
)
_UNIT_DAYS = {"个月": 30, "日": 1, "天": 1, "周": 7}


def freshness(material: Material) -> tuple[int, str] | None:
    """How recent the material must be (「6个月内二寸免冠照片」, 「近三个月内的体检表」): the days, and
    the words of the guide."""
    found = _FRESHNESS.search(f"{material.name} {material.note}")
    if found is None:
        return None
    try:
        count = chinese_to_int(found["n"])
    except ValueError:
        return None
    if not count:
        return None
    return count * _UNIT_DAYS[found["unit"]], f"{count}{found['unit']}内"


def _requires_original(form: str) -> bool:
    return "原件" in form and "或" not in form


def _requires_copy_too(form: str) -> bool:
    return "原件" in form and "复印件" in form and "或" not in form


def _form_problems(pair: Pair) -> list[MaterialProblem]:
    wanted, have = pair.required, pair.attached
    problems = []
    if have.form and _requires_original(wanted.form) and "原件" not in have.form:
        problems.append(MaterialProblem(ProblemKind.NEEDS_ORIGINAL, wanted, have))
    elif have.form == "原件" and _requires_copy_too(wanted.form):
        problems.append(MaterialProblem(ProblemKind.NEEDS_COPY_TOO, wanted, have))
    medium = wanted.medium
    either = "或" in medium or ("纸质" in medium and "电子" in medium)
    if have.medium and medium and not either:
        if "纸质" in medium and have.medium == "电子":
            problems.append(MaterialProblem(ProblemKind.NEEDS_PAPER, wanted, have))
        elif "电子" in medium and have.medium == "纸质":
            problems.append(MaterialProblem(ProblemKind.NEEDS_ELECTRONIC, wanted, have))
    return problems


def _read(
    have: AttachedMaterial, wanted: Material | None, key: str, problems: list[MaterialProblem]
) -> date | None:
    text = getattr(have, key)
    if not text:
        return None
    try:
        return read_day(text)
    except DateProblem as problem:
        problems.append(
            MaterialProblem(ProblemKind.BAD_DATE, wanted, have, date_field=key, detail=str(problem))
        )
        return None


def date_problems(
    have: AttachedMaterial, wanted: Material | None, today: date, finish_by: date | None
) -> list[MaterialProblem]:
    """Validity and issue dates: unreadable, expired (or expiring before the item is done), issued
    in the future, ending before issued, older than the requirement allows."""
    problems: list[MaterialProblem] = []
    valid_until = _read(have, wanted, "valid_until", problems)
    issued_on = _read(have, wanted, "issued_on", problems)
    if issued_on is not None and issued_on > today:
        problems.append(MaterialProblem(ProblemKind.ISSUED_IN_FUTURE, wanted, have, day=issued_on))
    if valid_until is not None and issued_on is not None and valid_until < issued_on:
        problems.append(MaterialProblem(ProblemKind.ENDS_BEFORE_ISSUED, wanted, have, day=valid_until))
    elif valid_until is not None and valid_until < today:
        problems.append(MaterialProblem(ProblemKind.EXPIRED, wanted, have, day=valid_until))
    elif valid_until is not None and finish_by is not None and valid_until < finish_by:
        problems.append(MaterialProblem(ProblemKind.EXPIRES_BEFORE_DONE, wanted, have, day=finish_by))
    fresh = freshness(wanted) if wanted is not None else None
    if fresh is not None and not have.issued_on:
        problems.append(MaterialProblem(ProblemKind.FRESHNESS_UNKNOWN, wanted, have, detail=fresh[1]))
    elif fresh is not None and issued_on is not None and issued_on < today - timedelta(days=fresh[0]):
        problems.append(MaterialProblem(ProblemKind.TOO_OLD, wanted, have, day=issued_on, detail=fresh[1]))
    return problems


def check_materials(
    required: Sequence[Material],
    attached: Sequence[AttachedMaterial],
    today: date,
    *,
    finish_by: date | None = None,
) -> MaterialsCheck:
    """Every problem of the attached materials against the required ones, in the guide's order,
    then the extra ones in the applicant's order. ``finish_by`` is when the item is expected to be
    done: a material valid until before it may lapse while the application is handled."""
    pairs, _, extra = match_materials(required, attached)
    by_required = {id(pair.required): pair for pair in pairs}
    problems: list[MaterialProblem] = []
    for wanted in required:
        pair = by_required.get(id(wanted))
        if pair is None:
            kind = ProblemKind.MISSING_CONDITIONAL if is_conditional(wanted) else ProblemKind.MISSING
            problems.append(MaterialProblem(kind, wanted))
            continue
        problems += _form_problems(pair)
        problems += date_problems(pair.attached, wanted, today, finish_by)
    for have in extra:
        problems.append(MaterialProblem(ProblemKind.EXTRA, None, have))
        problems += date_problems(have, None, today, finish_by)
    return MaterialsCheck(tuple(pairs), tuple(problems))
