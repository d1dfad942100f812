"""Age conditions read from a conditions text: 年满18周岁, 18周岁以上, 不超过60周岁, 未满16周岁, bounds for
one sex (男方年满22周岁); none when the text gives different ranges for different cases."""

from __future__ import annotations

import re

from zhengshu.guide.condition_text import NUMBER, Clause, make_condition, plain
from zhengshu.guide.condition_types import AgeRule, Condition, ConditionKind
from zhengshu.text.numerals import chinese_to_int

__all__ = ["age_condition"]

# Ages: 年满18周岁, 18周岁以上, 不超过60周岁, 未满16周岁, 年龄二十五周岁以上六十五周岁以下, 男方年满22周岁.
_AGE = re.compile(
    rf"(?P<before>年满|已满|未满|不满|不超过|超过|满)?\s*(?P<n>{NUMBER})\s*周?岁\s*"
    r"(?P<after>(?:及|（含）|\(含\))?以上|(?:及|（含）|\(含\))?以下)?"
)
_SEX_ORDER = {"": 0, "男": 1, "女": 2}
_DATED = re.compile(r"\d{4}年|截至|截止")
_SEX = re.compile(r"(男|女)(?:方|性|子)?[^，,、；男女]{0,6}$")


def _age_bounds(match: re.Match[str]) -> tuple[str, int, bool] | None:
    """("min"/"max", years, inclusive) of one age phrase, or None when it states no bound."""
    try:
        years = chinese_to_int(match["n"])
    except ValueError:
        return None
    if not 1 <= years <= 120:
        return None
    before, after = match["before"] or "", match["after"] or ""
    if before in ("未满", "不满"):
        return ("max", years, False)
    if before == "不超过" or after.endswith("以下"):
        return ("max", years, True)
    if before == "超过":
        return ("min", years, False)
    if before in ("年满", "已满", "满") or after.endswith("以上"):
        return ("min", years, True)
    return None


def _age_rules(clause: str) -> list[AgeRule]:
    """The age rules of one clause, one per sex named (or one for everybody)."""
    bounds: dict[str, dict[str, tuple[int, bool]]] = {}
    for match in _AGE.finditer(clause):
        bound = _age_bounds(match)
        if bound is None or not plain(clause, match.start(), match.end()):
            continue
        if _DATED.search(clause[: match.start()]):
            return []  # 2012年2月前已年满60周岁: an age on a past date, not today's

        sex_found = _SEX.search(clause[max(0, match.start() - 8) : match.start()])
        sex = sex_found.group(1) if sex_found else ""
        side, years, inclusive = bound
        if side in bounds.setdefault(sex, {}):
            return []  # two lower (or upper) bounds for the same people: cases we cannot tell apart
        bounds[sex][side] = (years, inclusive)
    rules = []
    for sex, sides in bounds.items():
        low, high = sides.get("min"), sides.get("max")
        rules.append(
            AgeRule(
                sex=sex,
                minimum=low[0] if low else None,
                minimum_inclusive=low[1] if low else True,
                maximum=high[0] if high else None,
                maximum_inclusive=high[1] if high else True,
            )
        )
    return rules


def age_condition(clauses: list[Clause]) -> Condition | None:
    found: list[tuple[tuple[AgeRule, ...], str]] = []
    for clause in clauses:
        rules = tuple(sorted(_age_rules(clause.text), key=lambda rule: _SEX_ORDER.get(rule.sex, 0)))
        if rules and all(rules != known for known, _ in found):
            found.append((rules, clause.text))
    if len(found) != 1:
        return None  # none, or different ranges for different cases
    rules, source = found[0]
    if len(rules) == 1 and not rules[0].sex:
        described = rules[0].describe()
        requirement, question = f"申请人须{described}", f"申请人是否{described}？"
    else:
        described = "，".join(f"{rule.sex}性{rule.describe()}" for rule in rules)
        requirement, question = (
            f"申请人须符合年龄要求：{described}",
            f"申请人是否符合年龄要求（{described}）？",
        )
    return make_condition(ConditionKind.AGE, requirement, question, source, age_rules=rules)
