"""What makes an appeal worth a leader's attention in the daily briefs, and the industry table of the
enterprise brief. Every rule here is shown to the reader of a brief as a reason or a criterion.

Score of an appeal (higher first; an appeal with no signal is never picked):
- severity: 特急 +3, 紧急 +2; words of danger (DANGER_WORDS) +2, +0.5 for each further word (at most +3)
- vulnerable people (VULNERABLE_WORDS): +1.5
- repeats: reopened (重办) +1.5; the same appellant filed before within REPEAT_DAYS days +1.5;
  the same matter (same community and category, at least half of the title's character pairs) was
  filed before within SAME_MATTER_DAYS days +1.5
- a growing cluster (its class case among the last CLUSTER_DAYS days is rising, as the hotspot
  service zhengshu.appeals.class_cases defines it, with at least CLUSTER_MIN appeals): +1.5
- public safety: category 公共安全 or words of public safety (PUBLIC_SAFETY_WORDS): +2
- enterprise brief only: words of business hardship (ENTERPRISE_CONCERN_WORDS) +1.5
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DANGER_WORDS = _words(
    "安全隐患 坍塌 倒塌 塌陷 火灾 起火 着火 燃气 煤气 漏气 爆炸 触电 漏电 "
    "溺水 自杀 轻生 跳楼 坠落 高空坠物 砸伤 困人 中毒 危险 危房 裂缝 脱落 "
    "塌方 滑坡 内涝 受伤"
)
VULNERABLE_WORDS = _words(
    "老人 老年人 独居 残疾 残障 孕妇 儿童 小孩 婴儿 未成年 学生 农民工 低保 特困 困难群众 孤寡 病人 患者"
)
PUBLIC_SAFETY_WORDS = _words(
    "治安 盗窃 被偷 诈骗 打架 斗殴 持刀 消防通道 消防隐患 井盖 飙车 醉驾 黑车 群体 聚集 围堵"
)
ENTERPRISE_CONCERN_WORDS = _words(
    "停产 停工 无法生产 资金链 拖欠 欠款 欠薪 融资 经营困难 影响经营 影响生产 损失 冒用 侵权 未兑现 限行"
)

URGENCY_POINTS = {"critical": 3.0, "urgent": 2.0}
DANGER_POINTS, DANGER_EXTRA, DANGER_CAP = 2.0, 0.5, 3.0
VULNERABLE_POINTS = 1.5
REOPEN_POINTS = 1.5
SAME_APPELLANT_POINTS = 1.5
SAME_MATTER_POINTS = 1.5
CLUSTER_POINTS = 1.5
PUBLIC_SAFETY_POINTS = 2.0
ENTERPRISE_CONCERN_POINTS = 1.5
REPEAT_DAYS = 90
SAME_MATTER_DAYS = 30
SAME_MATTER_OVERLAP = 0.5
# Growing clusters: the class cases of the hotspot service among the appeals of this many days.
CLUSTER_DAYS = 30
CLUSTER_MIN = 3
DAILY_FIVE = 5
# An enterprise appeal is "notable" from this score on.
NOTABLE_MIN = 1.5
PUBLIC_SAFETY_CATEGORY = "公共安全"

CRITERIA = (
    f"严重紧急：特急 +{URGENCY_POINTS['critical']:g}，紧急 +{URGENCY_POINTS['urgent']:g}；"
    f"含危险词（如安全隐患、坍塌、火灾、燃气、触电、溺水、自杀）+{DANGER_POINTS:g}，"
    f"每多一个 +{DANGER_EXTRA:g}",
    f"涉及弱势群体（如老人、残疾、孕妇、儿童、学生、农民工、低保）+{VULNERABLE_POINTS:g}",
    f"重复诉求：已重办 +{REOPEN_POINTS:g}；同一诉求人 {REPEAT_DAYS} 天内再次反映 +{SAME_APPELLANT_POINTS:g}；"
    f"同一社区同类事项 {SAME_MATTER_DAYS} 天内已有反映 +{SAME_MATTER_POINTS:g}",
    f"类案上升：所属类案（近 {CLUSTER_DAYS} 天聚类，至少 {CLUSTER_MIN} 件）近 7 天较此前周均翻番 "
    f"+{CLUSTER_POINTS:g}",
    f"公共安全：公共安全类或含治安、消防通道、井盖等词 +{PUBLIC_SAFETY_POINTS:g}",
)
ENTERPRISE_CRITERIA = (
    *CRITERIA,
    f"企业经营困难：含停产、拖欠、融资、影响经营等词 +{ENTERPRISE_CONCERN_POINTS:g}；"
    f"得分 ≥ {NOTABLE_MIN:g} 列为值得关注",
)


@dataclass(frozen=True)
class Industry:
    name: str
    words: tuple[str, ...]


# Industry of an enterprise appeal: the industry with most words in the enterprise name (counted
# double) and the appeal's title and content; 未识别 when none matches. Order breaks ties.
INDUSTRIES = (
    Industry(
        "制造业",
        _words("制造 工厂 厂房 生产线 加工 五金 塑胶 模具 机械 装备 新材料 制品 印刷 包装 电子"),
    ),
    Industry("信息技术", _words("软件 信息技术 互联网 网络科技 数据 通信 光电")),
    Industry("批发零售", _words("贸易 商贸 商行 超市 便利店 百货 零售 批发 网店 销售")),
    Industry("住宿餐饮", _words("餐饮 饭店 酒店 餐厅 酒楼 宾馆 食堂 奶茶")),
    Industry("建筑房地产", _words("建筑 建设工程 装饰 装修 地产 置业 物业")),
    Industry("交通物流", _words("物流 运输 快递 货运 仓储 供应链 货车")),
    Industry("医药卫生", _words("医疗 医药 药房 诊所 器械 生物")),
    Industry("教育文化", _words("教育 培训 文化 传媒 体育")),
)
UNKNOWN_INDUSTRY = "未识别"


def industry_of(enterprise_name: str | None, text: str) -> str:
    name = enterprise_name or ""
    best, best_hits = UNKNOWN_INDUSTRY, 0
    for industry in INDUSTRIES:
        hits = sum(2 * name.count(w) + text.count(w) for w in industry.words)
        if hits > best_hits:
            best, best_hits = industry.name, hits
    return best


def words_in(text: str, words: tuple[str, ...]) -> list[str]:
    """The listed words found in the text; a word inside a longer found word is not counted twice."""
    found = [w for w in words if w in text]
    return [w for w in found if not any(w != other and w in other for other in found)]
