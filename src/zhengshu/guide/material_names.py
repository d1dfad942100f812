"""Which attached material answers which required one (申请材料), by name.

Names rarely agree letter for letter: the guide asks for 「居民身份证」 and the applicant has
「身份证复印件」; 「《医师资格证书》」 is 「医师资格证书」; 「营业执照（副本）」 is 「营业执照」. Names are
compared after normalising (book-title marks, bracketed remarks, 原件/复印件, 申请人/本人 dropped), then
as synonyms, then as one name holding the other, then by the words they share. Each attached
material answers at most one requirement, the best-scoring pairs first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from zhengshu.guide.application_form import AttachedMaterial
from zhengshu.guide.records import Material
from zhengshu.text.normalize import normalize_text
from zhengshu.text.segment import terms

__all__ = [
    "MATCH_THRESHOLD",
    "Pair",
    "canonical_name",
    "match_materials",
    "normal_name",
    "similarity",
]


@dataclass(frozen=True)
class Pair:
    required: Material
    attached: AttachedMaterial
    score: float


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
