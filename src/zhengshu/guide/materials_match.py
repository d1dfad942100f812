"""Matching the materials an applicant has to those an item requires (申请材料).

Names rarely agree letter for letter: the guide asks for 「居民身份证」 and the applicant has
「身份证复印件」; 「《医师资格证书》」 is 「医师资格证书」; 「营业执照（副本）」 is 「营业执照」. Names are
compared after normalising (book-title marks, bracketed remarks, 原件/复印件, 申请人/本人 dropped), then
as synonyms, then as one name holding the other, then by the words they share. Each attached
material answers at most one requirement, the best-scoring pairs first.

What comes out is a list of problems in terms of the data (missing, extra, a copy where the
original is required, paper where an electronic file is, expired, issued in the future, older
than the requirement allows); zhengshu.guide.prereview words them for people."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from zhengshu.guide.application_form import AttachedMaterial, DateProblem, read_date
from zhengshu.guide.records import Material
from zhengshu.policy.numerals import chinese_to_int
from zhengshu.text.normalize import normalize_text
from zhengshu.text.segment import terms

__all__ = [
    "MaterialProblem",
    "MaterialsCheck",
    "Pair",
    "ProblemKind",
    "canonical_name",
    "check_materials",
    "freshness",
    "is_conditional",
    "match_materials",
    "similarity",
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
class Pair:
    required: Material
    attached: AttachedMaterial
    score: float


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


# --- names ---------------------------------------------------------------------------------------

_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_MARKS = re.compile(r"[《》〈〉<>“”\"'‘’「」『』\s，,。；;：:、.．]")
_FORM_WORDS = re.compile(r"(?:及其|及|和|或)?(?:原件|复印件|正本|副本|扫描件|电子版|电子件|照片页)$")
_LEADING = re.compile(r"^(?:申请人|申请者|本人|个人|有效的?|提交|提供|交验|出具)+")
_TRAILING = re.compile(r"(?:一份|1份|两份|2份|等)$")

# Names that stand for the same document, by the canonical one.
_SYNONYMS = {
    "居民身份证": (
        "身份证",
        "居民身份证",
        "身份证明",
        "身份证件",
        "有效身份证件",
        "身份证明文件",
        "二代身份证",
        "第二代居民身份证",
        "中华人民共和国居民身份证",
    ),
    "营业执照": ("营业执照", "企业营业执照", "企业法人营业执照", "营业执照正本", "营业执照副本"),
    "居民户口簿": ("户口簿", "户口本", "居民户口簿", "常住人口登记卡", "户口页"),
    "授权委托书": ("授权委托书", "委托书", "委托授权书", "个人委托书", "代办委托书", "法人授权委托书"),
    "结婚证": ("结婚证", "结婚证书"),
    "离婚证": ("离婚证", "离婚证书"),
    "出生医学证明": ("出生医学证明", "出生证", "出生证明"),
    "居住证": ("居住证", "广东省居住证", "深圳经济特区居住证", "深圳市居住证"),
    "社会保障卡": ("社会保障卡", "社保卡"),
    "社会保险参保缴费证明": (
        "社会保险参保缴费证明",
        "社保缴费证明",
        "社保证明",
        "参保证明",
        "社保参保证明",
        "社会保险缴费证明",
    ),
    "照片": (
        "照片",
        "相片",
        "证件照",
        "证件照片",
        "免冠照片",
        "免冠彩色照片",
        "彩色照片",
        "近期免冠照片",
        "一寸照片",
        "二寸照片",
        "1寸照片",
        "2寸照片",
    ),
    "护照": ("护照", "有效护照"),
    "学历证明": ("学历证明", "学历证书", "毕业证书", "毕业证", "学历证明材料"),
    "不动产权证书": ("不动产权证书", "不动产权证", "房产证", "房屋所有权证", "房地产证"),
}
_CANONICAL = {name: canonical for canonical, names in _SYNONYMS.items() for name in names}


# 「申请人未满16周岁未办理身份证的交验户口簿」 names 户口簿: who brings it comes before the verb.
_WHO_BRINGS = re.compile(r"^.{2,}?(?:交验|提交|提供)(?!的|人)(?P<what>.{2,})$")


def normal_name(name: str) -> str:
    """The name as compared: 「《医师资格证书》（原件）」 → 「医师资格证书」."""
    text = normalize_text(name).lower()
    if brought := _WHO_BRINGS.match(text):
        text = brought["what"]
    text = _BRACKETED.sub("", text)
    text = _MARKS.sub("", text)
    for _ in range(2):
        text = _FORM_WORDS.sub("", text)
        text = _TRAILING.sub("", text)
    text = _LEADING.sub("", text)
    return text


# 「白底正面免冠彩色本人单人半身证件照」, 「近期标准2寸免冠正面彩照」: photos, however described.
_PHOTO = re.compile(r"(?:照片|相片|证件照|彩照|免冠照)$")


def canonical_name(name: str) -> str:
    normal = normal_name(name)
    if normal in _CANONICAL:
        return _CANONICAL[normal]
    return "照片" if _PHOTO.search(normal) else normal


def similarity(required: str, attached: str) -> float:
    """1 for the same document, less for names holding one another or sharing words, 0 for none."""
    left, right = canonical_name(required), canonical_name(attached)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    shorter, longer = sorted((left, right), key=len)
    if len(shorter) >= 2 and shorter in longer:
        # 「申请表」 in 「执业药师首次注册申请表」: likely the same, less sure the shorter it is.
        return 0.6 + 0.3 * len(shorter) / len(longer)
    left_terms, right_terms = set(terms(left)), set(terms(right))
    if not left_terms or not right_terms:
        return 0.0
    shared = len(left_terms & right_terms) / len(left_terms | right_terms)
    return 0.8 * shared


MATCH_THRESHOLD = 0.5


def match_materials(
    required: Sequence[Material], attached: Sequence[AttachedMaterial]
) -> tuple[list[Pair], list[Material], list[AttachedMaterial]]:
    """(pairs, required without a match, attached without a match): one-to-one, best pairs first,
    ties in the guide's order."""
    candidates = []
    for r_index, wanted in enumerate(required):
        for a_index, have in enumerate(attached):
            score = similarity(wanted.name, have.name)
            if score >= MATCH_THRESHOLD:
                candidates.append((-score, r_index, a_index))
    candidates.sort()
    used_required: set[int] = set()
    used_attached: set[int] = set()
    pairs: dict[int, Pair] = {}
    for negative, r_index, a_index in candidates:
        if r_index in used_required or a_index in used_attached:
            continue
        used_required.add(r_index)
        used_attached.add(a_index)
        pairs[r_index] = Pair(required[r_index], attached[a_index], -negative)
    unmatched_required = [m for i, m in enumerate(required) if i not in used_required]
    unmatched_attached = [m for i, m in enumerate(attached) if i not in used_attached]
    return [pairs[i] for i in sorted(pairs)], unmatched_required, unmatched_attached


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
        return read_date(text)
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
