"""The places an appeal is about, read from its text: housing estates, roads, schools, companies.

Hot issues are "a place + a problem" (this estate's parking, that road's noise), so class cases are
built on the place named in the text, not only on the street or community the appeal was filed under.

How a place is found, with no list of names:
1. A place word ends in a kind-suffix: 小区, 花园, 苑, 城, 大厦 … (estate), 路, 大道, 街 … (road),
   小学, 学院 … (school), 公司, 厂, 医院 … (company or institution).
2. Its name is the run of name characters right before the suffix (at most ``MAX_NAME_CHARS``).
3. The run is cut after the last administrative unit (省, 市, 区, 县, 镇, 乡, 街道 — "A3区丽发新城"
   becomes "丽发新城") and after the last verb or function word that cannot start a name
   ("反映", "关于", "住在", "的" …).
4. Names that only point at a place ("我们小区", "该路段", "周边小区") are dropped.

Known limits: a name that itself contains a cut word ("和平路" keeps "和平" because "和" alone is not a
cut word, but "关于路" would be lost); the estate number after the name ("6栋") is not kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from zhengshu.text.normalize import normalize_text

__all__ = ["Place", "PlaceKind", "community_key", "extract_communities", "extract_places", "place_key"]

MAX_NAME_CHARS = 8
MIN_NAME_CHARS = 2


class PlaceKind(StrEnum):
    ESTATE = "estate"
    ROAD = "road"
    SCHOOL = "school"
    ORGANISATION = "organisation"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return PLACE_KIND_LABELS[self]


PLACE_KIND_LABELS = {
    PlaceKind.ESTATE: "小区/楼盘",
    PlaceKind.ROAD: "道路",
    PlaceKind.SCHOOL: "学校",
    PlaceKind.ORGANISATION: "单位",
    PlaceKind.COMMUNITY: "社区",
}


# Longest suffixes first, so that "新城" wins over "城" and "大道" over "道".
_SUFFIXES: dict[PlaceKind, tuple[str, ...]] = {
    PlaceKind.ESTATE: (
        "小区",
        "花园",
        "家园",
        "公寓",
        "新村",
        "新城",
        "广场",
        "大厦",
        "公馆",
        "山庄",
        "华庭",
        "国际",
        "苑",
        "城",
        "湾",
        "邸",
    ),
    PlaceKind.ROAD: ("大道", "大街", "高速", "立交", "路", "街", "巷", "桥"),
    PlaceKind.SCHOOL: ("幼儿园", "小学", "中学", "大学", "学院", "学校", "职校"),
    PlaceKind.ORGANISATION: (
        "有限公司",
        "公司",
        "集团",
        "医院",
        "工厂",
        "厂",
        "市场",
        "地铁站",
        "车站",
        "酒店",
        "商场",
    ),
}
_KIND_OF = {suffix: kind for kind, suffixes in _SUFFIXES.items() for suffix in suffixes}
_SUFFIX = re.compile("|".join(map(re.escape, sorted(_KIND_OF, key=len, reverse=True))))
# A suffix character that starts another word here is no suffix: 城市, 城管, 街道 (an office), 路灯.
_NOT_SUFFIX_BEFORE = {
    "城": "市管区乡镇际建中",
    "街": "道",
    "厂": "家商长区",
    "桥": "梁",
    "路": "灯口段面边旁况线费由径人",  # 路灯, 路口, 路段 … begin words of their own
}
_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
# An administrative unit before a name: the name starts after the last one.
_ADMIN = re.compile(r"^.*(?:[A-Za-z0-9]+(?:省|市|区|县|镇|乡)|省|市|区|县|镇|乡|街道|社区|村委会?)")
# Words that cannot begin or sit inside a place name: the name starts after the last of them.
_CUT_WORDS = (
    "反映",
    "关于",
    "投诉",
    "举报",
    "咨询",
    "建议",
    "请问",
    "要求",
    "希望",
    "强烈",
    "位于",
    "住在",
    "家住",
    "购买",
    "购房",
    "入住",
    "靠近",
    "临近",
    "附近",
    "旁边",
    "周边",
    "对面",
    "门口",
    "导致",
    "影响",
    "严重",
    "整个",
    "我们",
    "我家",
    "本人",
    "业主",
    "居民",
    "市民",
    "还有",
    "以及",
    "其中",
    "进入",
    "通往",
    "沿线",
    "一带",
    "片区",
    "地段",
    "路段",
    "现在",
    "目前",
    "已经",
    "没有",
    "存在",
    "这个",
    "那个",
    "一家",
    "这家",
    "那家",
    "城中村",
    "旁",
    "该",
    "的",
    "在",
    "对",
    "从",
    "向",
    "到",
    "给",
    "被",
    "把",
    "让",
    "是",
    "为",
    "了",
    "与",
    "及",
    "即",
    "请",
)
_CUT = re.compile("|".join(map(re.escape, sorted(_CUT_WORDS, key=len, reverse=True))))
# Names that only point at a place, or say what kind of place without naming one.
_POINTER_WORDS = (
    "我们 这个 那个 整个 本 该 此 各 各个 所在 周边 周围 附近 其他 其它 新 老 旧 老旧 安置 商品 同一 一个 某 "
    "哪个 多个 几个 所有 全 新建 在建 城市 农村 乡村 城区 市区 辖区 这条 那条 一条 每条 整条 十字 丁字 "
    "必经之 断头 快速 主干 次干 住宅 配套 水泥 高架 人行 马 公 道 小 大 主 支 上班 回家 出 思 线 公交线 "
    "物业 开发 建设 施工 建筑 劳务 中介 保险 快递 房地产 公交 地铁 高铁 电 水 该条 此条"
)
_POINTERS = frozenset(_POINTER_WORDS.split())
# Common words that end like a place but name none: "外围马路", "分公司".
_GENERIC_ENDINGS = (
    "马路",
    "道路",
    "线路",
    "公路",
    "铁路",
    "分公司",
    "子公司",
    "总公司",
    "网路",
)


@dataclass(frozen=True)
class Place:
    name: str  # the name with its suffix, e.g. "丽湖花园"
    kind: PlaceKind

    @property
    def key(self) -> str:
        return place_key(self.name)


def place_key(name: str) -> str:
    """The form two mentions of one place share: "丽湖花园小区" and "丽湖花园" are one estate."""
    for suffix in ("小区", "社区"):
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_NAME_CHARS + 1:
            return name[: -len(suffix)]
    return name


def _trim(name: str) -> tuple[str, bool]:
    """The name without what stands before it; and whether an administrative unit was cut."""
    trimmed = _ADMIN.sub("", name)
    cut_end = 0
    for match in _CUT.finditer(trimmed):
        cut_end = match.end()
    return trimmed[cut_end:].lstrip("0123456789")[-MAX_NAME_CHARS:], trimmed != name


def _stem_ok(stem: str, kind: PlaceKind, after_admin: bool) -> bool:
    if stem in _POINTERS or stem.isdigit() or stem.isascii():
        return False
    # "商学院" right after a city is a name; "A6区道路" is no place.
    shortest = 1 if after_admin and kind in (PlaceKind.SCHOOL, PlaceKind.ORGANISATION) else MIN_NAME_CHARS
    return len(stem) >= shortest


def _is_suffix(run: str, end: int, suffix: str) -> bool:
    following = run[end : end + 1]
    if following and following in _NOT_SUFFIX_BEFORE.get(suffix, ""):
        return False
    # "新城" right before "小区" belongs to the longer place word ("大道" before "路灯" does not).
    following_suffix = _SUFFIX.match(run, end)
    return following_suffix is None or not _is_suffix(run, following_suffix.end(), following_suffix.group())


def _places_in_run(run: str) -> list[Place]:
    places = []
    start = 0
    for match in _SUFFIX.finditer(run):
        if not _is_suffix(run, match.end(), match.group()):
            continue
        stem, after_admin = _trim(run[start : match.start()])
        kind = _KIND_OF[match.group()]
        generic = (stem + match.group()).endswith(_GENERIC_ENDINGS)
        if 0 < len(stem) < MIN_NAME_CHARS and not generic and _stem_ok(stem + "名", kind, after_admin):
            continue  # "康桥名苑": the 桥 of a longer name, no road
        start = match.end()
        if _stem_ok(stem, kind, after_admin) and not generic:
            places.append(Place(stem + match.group(), kind))
    return places


def extract_places(text: str, limit: int = 8) -> list[Place]:
    """The places the text names, in order of first mention, without repeats (by key)."""
    found: dict[str, Place] = {}
    for run in _RUN.findall(normalize_text(text)):
        for place in _places_in_run(run):
            found.setdefault(place.key, place)
            if len(found) >= limit:
                return list(found.values())
    return list(found.values())


_COMMUNITY = re.compile("社区")


def community_key(name: str) -> str:
    """"龙岭社区" and "龙岭" are one community."""
    name = normalize_text(name).strip()
    return name[: -len("社区")] if name.endswith("社区") and len(name) > len("社区") else name


def extract_communities(text: str, limit: int = 4) -> list[Place]:
    """The communities (社区) the text names, in order of first mention: "布吉街道龙岭社区一巷" names
    龙岭社区. The name is cut like a place name (after the street, after a verb); "社区公园" and
    "我们社区" name none."""
    found: dict[str, Place] = {}
    for run in _RUN.findall(normalize_text(text)):
        start = 0
        for match in _COMMUNITY.finditer(run):
            stem, _ = _trim(run[start : match.start()])
            start = match.end()
            if len(stem) >= MIN_NAME_CHARS and stem not in _POINTERS and not stem.isascii():
                found.setdefault(stem, Place(stem + "社区", PlaceKind.COMMUNITY))
                if len(found) >= limit:
                    return list(found.values())
    return list(found.values())
