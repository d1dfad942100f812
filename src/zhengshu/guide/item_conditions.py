"""Checkable conditions read from an item's conditions text (受理条件).

A 办事指南 states who may apply in prose: "年满18周岁，身体健康，品行良好，具有初中以上学历的中国公民",
"现为广东省户籍", "在本市连续缴纳社会保险满12个月". The patterns common in guides become conditions,
each with a yes/no question for the application form and the words of the text it came from.
Nothing is taken that the text does not state as a requirement on the applicant: a phrase is
skipped when it sits in a list of grounds for refusal or cancellation (有下列情形之一的，不予…/注销…),
in a clause that forbids (不得), applies to a sub-case (申请…准驾车型的，在…), speaks of someone
else (子女, 配偶, 股东), is waived (不受…限制), or is one of several alternatives (或者). When a text
gives different age ranges for different cases, no age condition is taken.

The readers live in condition_age and condition_readers, on the clause reading of condition_text;
what a condition is, in condition_types."""

from __future__ import annotations

import dataclasses

from zhengshu.guide.condition_age import age_condition
from zhengshu.guide.condition_readers import (
    applicant_kind_condition,
    declaration_conditions,
    education_condition,
    household_condition,
    residence_permit_condition,
    social_insurance_condition,
)
from zhengshu.guide.condition_text import make_condition, split_clauses
from zhengshu.guide.condition_types import Condition, ConditionKind
from zhengshu.guide.life_events import ENTERPRISE, audience_kinds
from zhengshu.guide.records import ItemRecord
from zhengshu.text.normalize import normalize_text

__all__ = ["conditions_for", "conditions_of"]


def conditions_of(text: str) -> tuple[Condition, ...]:
    """The checkable conditions an item's conditions text states, in a fixed order."""
    cleaned = normalize_text(text or "")
    if len(cleaned) < 4:
        return ()
    clauses = list(split_clauses(cleaned))
    single = (
        applicant_kind_condition(clauses),
        age_condition(clauses),
        household_condition(clauses),
        residence_permit_condition(clauses),
        social_insurance_condition(clauses),
        education_condition(clauses),
    )
    found = [condition for condition in single if condition is not None]
    found += declaration_conditions(clauses)
    return tuple(found)


def conditions_for(item: ItemRecord) -> tuple[Condition, ...]:
    """The item's conditions, and who may apply by its 服务对象 when the conditions do not say and
    the list names only natural persons or only organisations."""
    found = conditions_of(item.conditions)
    if any(c.kind is ConditionKind.APPLICANT_KIND for c in found):
        return found
    kinds = audience_kinds(item.audiences)
    if len(kinds) != 1 or not item.audiences:
        return found
    listed = "、".join(item.audiences)
    if kinds[0] == ENTERPRISE:
        by_audience = make_condition(
            ConditionKind.APPLICANT_KIND,
            "本事项的服务对象为企业（单位）",
            "是否以企业（单位）名义申请？",
            f"服务对象：{listed}",
            applicant_kind="enterprise",
        )
    else:
        by_audience = make_condition(
            ConditionKind.APPLICANT_KIND,
            "本事项的服务对象为个人",
            "是否以个人名义申请？",
            f"服务对象：{listed}",
            applicant_kind="person",
        )
    return (dataclasses.replace(by_audience, strict=False), *found)
