"""What a checkable condition of a service item is: its kind, the requirement and the yes/no
question it puts to the applicant, the words it was read from, and for ages the rules with the
arithmetic of full years (周岁). zhengshu.guide.item_conditions reads them from an item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["AgeRule", "Condition", "ConditionKind", "age_on", "rule_for", "satisfies"]


class ConditionKind(StrEnum):
    AGE = "age"
    HOUSEHOLD = "household"  # 户籍
    SOCIAL_INSURANCE = "social_insurance"
    RESIDENCE_PERMIT = "residence_permit"
    APPLICANT_KIND = "applicant_kind"  # only enterprises, or only natural persons
    DECLARATION = "declaration"  # 无犯罪记录, 品行良好, … (the applicant's word)
    EDUCATION = "education"


@dataclass(frozen=True)
class AgeRule:
    """Age bounds in full years. Inclusive bounds are 以上/以下/年满/不超过 (民法典第1259条: 以上、以下
    include the number); exclusive ones are 未满/不满 (an upper bound) and 超过 (a lower one)."""

    sex: str = ""  # "男" / "女" when the rule is for one sex only
    minimum: int | None = None
    minimum_inclusive: bool = True
    maximum: int | None = None
    maximum_inclusive: bool = True

    def describe(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"年满{self.minimum}周岁" if self.minimum_inclusive else f"超过{self.minimum}周岁")
        if self.maximum is not None:
            parts.append(f"不超过{self.maximum}周岁" if self.maximum_inclusive else f"未满{self.maximum}周岁")
        return "且".join(parts)


@dataclass(frozen=True)
class Condition:
    key: str  # stable across items for the same requirement: a form field's answer carries over
    kind: ConditionKind
    requirement: str  # 申请人须年满18周岁
    question: str  # 申请人是否年满18周岁？ ("是" means the condition is met)
    source: str  # the words of the conditions text it was read from
    age_rules: tuple[AgeRule, ...] = ()
    applicant_kind: str = ""  # "enterprise" / "person" for APPLICANT_KIND
    # False for what the item's 服务对象 list implies rather than its conditions state: portals
    # fill that list loosely, so going against it is worth a notice, not a refusal.
    strict: bool = True


def age_on(birth: date, today: date) -> int:
    """Full years of age (周岁) on ``today``."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


def _anniversary(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February: the birthday counts from 1 March in common years
        return date(birth.year + years, 3, 1)


def satisfies(rule: AgeRule, birth: date, today: date) -> bool:
    if rule.minimum is not None:
        reached = _anniversary(birth, rule.minimum)
        if today < reached or (not rule.minimum_inclusive and today == reached):
            return False
    if rule.maximum is not None:
        # 不超过60周岁: until the 61st birthday; 未满60周岁: until the 60th.
        limit = rule.maximum + 1 if rule.maximum_inclusive else rule.maximum
        if today >= _anniversary(birth, limit):
            return False
    return True


def rule_for(condition: Condition, sex: str | None) -> AgeRule | None:
    """The age rule that applies to a person of ``sex`` (None when unknown and the rules differ)."""
    rules = condition.age_rules
    general = [r for r in rules if not r.sex]
    if general:
        return general[0]
    matching = [r for r in rules if r.sex == sex]
    return matching[0] if matching else None
