"""The sections of a 办事指南 a question asks about, and what each says of an item.

"要带什么材料" asks for the materials, "多久能办好" for the time limits, "在哪办" for the place and
hours. Each section has a key (the anchor of the item page: /guide/items/CODE#materials), a label,
the cues that ask for it, and the text it reads from an item; a question asking for none gets the
overview (conditions, materials, place, time limit, online handling)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from zhengshu.guide.records import ItemRecord, Material


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    cues: re.Pattern[str]
    read: Callable[[ItemRecord], str]


def _material_line(material: Material) -> str:
    details = [
        d for d in (material.form, f"{material.copies}份" if material.copies else "", material.medium) if d
    ]
    suffix = f"（{'，'.join(details)}）" if details else ""
    return f"{material.name}{suffix}{'（可选）' if material.optional else ''}"


def materials_text(item: ItemRecord) -> str:
    if not item.materials:
        return ""
    lines = [f"{n}. {_material_line(m)}" for n, m in enumerate(item.materials, 1)]
    return "需要准备的材料：\n" + "\n".join(lines)


def limits_text(item: ItemRecord) -> str:
    parts = []
    if item.promised_limit_days is not None:
        days = item.promised_limit_days
        parts.append("即办" if days == 0 else f"承诺 {days} 个工作日内办结")
    elif item.promised_limit_text:
        parts.append(f"承诺时限 {item.promised_limit_text}")
    if item.legal_limit_days is not None:
        parts.append(f"法定时限 {item.legal_limit_days} 个工作日")
    elif item.legal_limit_text:
        parts.append(f"法定时限 {item.legal_limit_text}")
    return "办理时限：" + "，".join(parts) + "。" if parts else ""


def place_text(item: ItemRecord) -> str:
    parts = []
    if item.place:
        parts.append(f"办理地点：{item.place}")
    if item.hours:
        parts.append(f"办理时间：{item.hours}")
    return "\n".join(parts)


def online_text(item: ItemRecord) -> str:
    if not (item.online_url or item.online_platform):
        return ""
    where = item.online_platform or "网上办事平台"
    link = f"（{item.online_url}）" if item.online_url else ""
    return f"可在{where}网上办理{link}。"


def _labelled(label: str, value: str) -> str:
    return f"{label}：{value}" if value else ""


SECTIONS: tuple[Section, ...] = (
    Section(
        "materials",
        "申请材料",
        re.compile(
            r"材料|带什么|带啥|要啥|准备什么|准备啥|资料|复印件|原件|证件|需要什么|要什么|要哪些|提交什么"
        ),
        materials_text,
    ),
    Section(
        "limits",
        "办理时限",
        re.compile(r"多久|几天|多长时间|时限|多少天|多少个工作日|什么时候能|啥时候能|要等|办结|快吗|多快"),
        limits_text,
    ),
    Section(
        "fees",
        "收费标准",
        re.compile(r"收费|多少钱|费用|要钱|免费|花多少|交钱|收钱|要交"),
        lambda item: _labelled("收费标准", item.fee),
    ),
    Section(
        "place",
        "办理地点和时间",
        re.compile(r"在哪|哪里办|哪儿办|地址|地点|去哪|窗口|几点|上班时间|办公时间|周末|几号楼"),
        place_text,
    ),
    Section(
        "online",
        "网上办理",
        re.compile(r"网上|线上|手机|网办|APP|app|小程序|不用跑|不想跑|在家|邮寄|快递"),
        online_text,
    ),
    Section(
        "conditions",
        "受理条件",
        re.compile(r"条件|能不能|可不可以|可以吗|能办吗|符合|资格|要求|够不够|能申请|有资格"),
        lambda item: _labelled("受理条件", item.conditions),
    ),
    Section(
        "basis",
        "设定依据",
        re.compile(r"依据|法律|法规|根据什么|哪条规定|政策依据"),
        lambda item: _labelled("设定依据", item.legal_basis),
    ),
    Section(
        "contact",
        "咨询电话",
        re.compile(r"电话|咨询|联系|投诉|热线"),
        lambda item: "\n".join(
            p
            for p in (_labelled("咨询电话", item.consult_phone), _labelled("投诉电话", item.complain_phone))
            if p
        ),
    ),
)
BY_KEY = {section.key: section for section in SECTIONS}
OVERVIEW = ("conditions", "materials", "place", "limits", "online")


def asked_sections(question: str) -> list[Section]:
    """The sections the question asks about, in the guide's order; none for "how do I …"."""
    return [section for section in SECTIONS if section.cues.search(question)]


def cue_free(question: str) -> str:
    """The question without its section cues: what is left names the item, if anything."""
    for section in SECTIONS:
        question = section.cues.sub(" ", question)
    return question
