"""Life events (人生事件) and who an item serves, as people browse a 办事指南 by them.

An item's life events come from its own file when it names them; otherwise from a small keyword
table over its themes (主题, as the portal files it), its name and its catalogue item. The table
errs on the side of leaving an item out: a wrong life event sends people to the wrong item, a
missing one only leaves the item to the other filters and the search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AUDIENCE_LABELS",
    "ENTERPRISE",
    "LIFE_EVENTS",
    "LIFE_EVENT_LABELS",
    "PERSON",
    "LifeEvent",
    "audience_kinds",
    "derive_life_events",
]


@dataclass(frozen=True)
class LifeEvent:
    label: str
    # Themes that put an item under this event, as the portal writes them.
    themes: frozenset[str]
    # Words of an item's name (or catalogue item) that do.
    words: tuple[str, ...]


def _event(label: str, themes: str, words: str) -> LifeEvent:
    return LifeEvent(label, frozenset(themes.split()), tuple(words.split()))


# In the order a person meets them; the enterprise's events after the person's.
LIFE_EVENTS: tuple[LifeEvent, ...] = (
    _event("出生", "生小孩", "出生 新生儿 生育津贴 生育医疗 独生子女 计划生育"),
    _event("上学", "升学 义务教育", "入学 学位申请 学籍 转学 升学 学生资助 助学 中考 高考 学历认证"),
    _event(
        "就业", "找工作 就业创业 高校毕业生 失业", "就业 失业 招聘 求职 职业介绍 职业培训 技能培训 人才引进"
    ),
    _event("创业/开办企业", "创业 设立变更", "设立登记 开办 营业执照 个体工商户 创业 企业名称"),
    _event("婚育", "婚姻登记 结婚 生育收养", "结婚 离婚 婚姻 生育登记 收养 再生育"),
    _event("住房", "买房子 住房保障", "住房 公积金 不动产 房屋 公租房 保障房 人才房 租房"),
    _event("出行", "交通出行", "驾驶证 驾驶人 机动车 车辆 道路运输 网约车 出租汽车 停车"),
    _event("就医", "医疗卫生", "就医 医保 医疗保险 门诊 住院 异地就医 医疗费用"),
    _event(
        "社保", "社会保障（社会保险、社会救助） 社会救助", "社会保险 社保 参保 养老保险 工伤 低保 救助 特困"
    ),
    _event("退休养老", "退休 养老服务 老年人 离职退休", "退休 养老 老年人 高龄 敬老 优待证"),
    _event("残疾人服务", "残疾人", "残疾"),
    _event("身后事", "", "死亡 殡葬 丧葬 遗体 火化 抚恤金 遗属"),
    _event("出入境", "出境入境 港澳台侨 外国人", "出入境 出境 入境 通行证 护照 签注 签证 港澳 台湾 华侨"),
    _event("证件办理", "证件办理 户籍办理 迁居", "身份证 居住证 户口 户籍 入户 迁移 证明补发 补领 补办"),
    _event("纳税", "纳税 行政缴费", "纳税 税务 发票 个人所得税 缴税 退税"),
    _event("经营许可", "准营准办", "经营许可 生产许可 卫生许可 食品经营 药品经营"),
    _event("企业变更注销", "", "变更登记 注销登记 企业注销 备案变更"),
    _event("工程建设", "规划建设", "施工许可 建设工程 规划许可 竣工验收 用地"),
)
LIFE_EVENT_LABELS = tuple(event.label for event in LIFE_EVENTS)

PERSON, ENTERPRISE = "person", "enterprise"
AUDIENCE_LABELS = {PERSON: "个人办事", ENTERPRISE: "法人办事"}
_PERSON_WORDS = ("自然人", "个人", "居民", "市民", "公民", "群众")
_ENTERPRISE_WORDS = ("法人", "企业", "个体工商户", "组织", "机关", "单位", "商户")


def derive_life_events(name: str, catalog_name: str, themes: Iterable[str]) -> tuple[str, ...]:
    """The life events the keyword table finds for an item, in the table's order."""
    themes = set(themes)
    text = f"{name} {catalog_name}"
    return tuple(
        event.label
        for event in LIFE_EVENTS
        if event.themes & themes or any(word in text for word in event.words)
    )


def audience_kinds(audiences: Iterable[str]) -> tuple[str, ...]:
    """PERSON when the item serves natural persons, ENTERPRISE when it serves legal persons or
    other organisations; an item without audiences is taken to serve both."""
    listed = [audience for audience in audiences if audience]
    if not listed:
        return (PERSON, ENTERPRISE)
    kinds = []
    if any(word in audience for audience in listed for word in _PERSON_WORDS):
        kinds.append(PERSON)
    if any(word in audience for audience in listed for word in _ENTERPRISE_WORDS):
        kinds.append(ENTERPRISE)
    return tuple(kinds) or (PERSON, ENTERPRISE)
