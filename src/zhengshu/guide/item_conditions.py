"""Checkable conditions read from an item's conditions text (受理条件).

A 办事指南 states who may apply in prose: "年满18周岁，身体健康，品行良好，具有初中以上学历的中国公民",
"现为广东省户籍", "在本市连续缴纳社会保险满12个月". The patterns common in guides become conditions,
each with a yes/no question for the application form and the words of the text it came from.
Nothing is taken that the text does not state as a requirement on the applicant: a phrase is
skipped when it sits in a list of grounds for refusal or cancellation (有下列情形之一的，不予…/注销…),
in a clause that forbids (不得), applies to a sub-case (申请…准驾车型的，在…), speaks of someone
else (子女, 配偶, 股东), is waived (不受…限制), or is one of several alternatives (或者). When a text
gives different age ranges for different cases, no age condition is taken."""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from zhengshu.guide.life_events import ENTERPRISE, audience_kinds
from zhengshu.guide.records import ItemRecord
from zhengshu.policy.numerals import chinese_to_int
from zhengshu.text.normalize import normalize_text

__all__ = [
    "AgeRule",
    "Condition",
    "ConditionKind",
    "age_on",
    "conditions_for",
    "conditions_of",
    "rule_for",
    "satisfies",
]


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


# --- reading the text ----------------------------------------------------------------------------

_NUMBER = r"(?:\d{1,3}|[一二三四五六七八九十两]{1,4})"
_CLAUSE_BREAK = re.compile(r"[；;。\n：:]|(?:^|\s)(?:\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)])")
_NEGATIVE_HEADER = re.compile(r"(?:下列|以下)(?:情形|情况)之一|情形之一的|(?:下列|以下)情形")
_NEGATIVE_WORD = re.compile(r"注销|免职|撤销|不予|不得|吊销|失效|取消|终止|不能|禁止|不受理|不准|不适用")
_POSITIVE_HEADER = re.compile(
    r"(?:符合|具备|满足|具有)(?:下列|以下)|(?:下列|以下|申请|报名|认定|任职)条件|可以申请|可提出|方可申请"
)
# A clause that forbids, waives or reads as "if … then": the phrase in it is not a plain requirement.
_FORBIDS = re.compile(r"不得|不予|不能|禁止|不受[^，,]{0,30}限制|不适用")
_OTHER_PERSON = re.compile(
    r"子女|配偶(?!关系)|父母|被监护人|监护人|家属|亲属|随同|股东|董事|监事|法定代表人|负责人|设立人|举办者|合伙人"
)
_SUB_CASE = re.compile(r"的[，,]")
# 「…的本市户籍居民，或在本市居住的…」, 「…以及在本市就读的学生」: one of several groups may apply,
# so what one group must meet is no condition on every applicant.
_ALTERNATIVE = re.compile(r"或者|或是|[，,]\s*(?:或|以及)")


@dataclass(frozen=True)
class _Clause:
    text: str


def _clauses(text: str) -> Iterator[_Clause]:
    """The clauses that may state requirements: those in a list of grounds for refusal or
    cancellation are left out, up to a header that lists conditions again."""
    excluded = False
    for piece in _CLAUSE_BREAK.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if _POSITIVE_HEADER.search(piece) and not _NEGATIVE_WORD.search(piece):
            excluded = False
        if _NEGATIVE_HEADER.search(piece) and _NEGATIVE_WORD.search(piece):
            excluded = True
            continue
        if not excluded:
            yield _Clause(piece)


def _plain(clause: str, start: int, end: int, *, other_person_ok: bool = False) -> bool:
    """Whether the phrase at clause[start:end] reads as a plain requirement on the applicant."""
    if _FORBIDS.search(clause):
        return False
    before = clause[:start]
    if _SUB_CASE.search(before):
        return False
    if not other_person_ok and _OTHER_PERSON.search(clause):
        return False
    return not _ALTERNATIVE.search(clause)


def _condition(
    kind: ConditionKind,
    requirement: str,
    question: str,
    source: str,
    *,
    age_rules: tuple[AgeRule, ...] = (),
    applicant_kind: str = "",
) -> Condition:
    key = f"{kind.value}-{zlib.crc32(requirement.encode()):08x}"
    return Condition(key, kind, requirement, question, source, age_rules, applicant_kind)


# Ages: 年满18周岁, 18周岁以上, 不超过60周岁, 未满16周岁, 年龄二十五周岁以上六十五周岁以下, 男方年满22周岁.
_AGE = re.compile(
    rf"(?P<before>年满|已满|未满|不满|不超过|超过|满)?\s*(?P<n>{_NUMBER})\s*周?岁\s*"
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
        if bound is None or not _plain(clause, match.start(), match.end()):
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


def _age_condition(clauses: list[_Clause]) -> Condition | None:
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
    return _condition(ConditionKind.AGE, requirement, question, source, age_rules=rules)


_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
# A city is only taken after a word that ends what comes before it (具有深圳市户籍, 现为深圳市户籍): the
# characters before 市 are otherwise no telling where the name starts.
_HOUSEHOLD = re.compile(
    rf"(?P<neg>非)?(?P<scope>本市|本省|本区|本县|我市|我省|我区|(?:{_PROVINCES})(?:省|市|自治区)?|"
    r"(?:(?<=^)|(?<=[为有于，,、\s]))[\u4e00-\u9fa5]{2,3}市)(?:常住)?户籍"
)
# 户籍在X: a short place only; a long list (with 等, 以及, an annex) cannot be asked in one question.
_HOUSEHOLD_IN = re.compile(r"户籍(?:在|属于)(?P<scope>[^。；;的，,]{2,30})(?=[。；;的，,]|$)")
_LONG_LIST = re.compile(r"等|以及|附件|名单")
_SCOPE_NAMES = {"我市": "本市", "我省": "本省", "我区": "本区"}
_LEADING_VERB = re.compile(r"^(?:具有|现为|属于|为)")


def _household_condition(clauses: list[_Clause]) -> Condition | None:
    for clause in clauses:
        text = clause.text
        for match in _HOUSEHOLD.finditer(text):
            scope = match["scope"]
            if scope.startswith(("外省", "外市", "其他")) or not _plain(text, match.start(), match.end()):
                continue
            scope = _LEADING_VERB.sub("", scope)
            scope = _SCOPE_NAMES.get(scope, scope)
            if match["neg"]:
                return _condition(
                    ConditionKind.HOUSEHOLD,
                    f"申请人须为非{scope}户籍人员",
                    f"申请人是否为非{scope}户籍人员？",
                    text,
                )
            return _condition(
                ConditionKind.HOUSEHOLD, f"申请人须为{scope}户籍", f"申请人是否为{scope}户籍？", text
            )
        for match in _HOUSEHOLD_IN.finditer(text):
            if not _plain(text, match.start(), match.end()):
                continue
            scope = match["scope"].strip()
            if _LONG_LIST.search(text[match.end() : match.end() + 80]) or "、" in scope:
                continue
            return _condition(
                ConditionKind.HOUSEHOLD, f"申请人户籍须在{scope}", f"申请人户籍是否在{scope}？", text
            )
    return None


_SOCIAL_INSURANCE = re.compile(
    r"(?:在(?P<scope>[\u4e00-\u9fa5]{2,8}?)(?:内)?(?=连续|累计|缴纳|参加|参保|缴交))?"
    r"(?P<how>连续|累计)?(?:缴纳|参加|参保缴纳|缴交)?(?:城镇职工)?"
    r"(?P<what>社会保险|社保|基本养老保险|养老保险|医疗保险)(?:费)?(?:缴费)?(?:已|累计|连续)?(?:满|达到)"
    rf"(?P<n>{_NUMBER})\s*(?:个)?(?P<unit>月|年)"
)


def _social_insurance_condition(clauses: list[_Clause]) -> Condition | None:
    for clause in clauses:
        for match in _SOCIAL_INSURANCE.finditer(clause.text):
            if not _plain(clause.text, match.start(), match.end()):
                continue
            try:
                count = chinese_to_int(match["n"])
            except ValueError:
                continue
            scope = _SCOPE_NAMES.get(match["scope"] or "", match["scope"] or "")
            where = f"在{scope}" if scope else ""
            unit = "个月" if match["unit"] == "月" else "年"
            what = f"{where}{match['how'] or ''}缴纳{match['what']}满{count}{unit}"
            return _condition(
                ConditionKind.SOCIAL_INSURANCE, f"申请人须{what}", f"申请人是否已{what}？", clause.text
            )
    return None


_RESIDENCE_PERMIT = re.compile(
    r"(?<![未不无])持(?:有)?(?:有效)?(?:的)?《?(?P<name>(?:[\u4e00-\u9fa5]{2,8}?)?居住证)》?"
)


def _residence_permit_condition(clauses: list[_Clause]) -> Condition | None:
    for clause in clauses:
        for match in _RESIDENCE_PERMIT.finditer(clause.text):
            if not _plain(clause.text, match.start(), match.end()):
                continue
            name = match["name"]
            return _condition(
                ConditionKind.RESIDENCE_PERMIT,
                f"申请人须持有有效的{name}",
                f"申请人是否持有有效的{name}？",
                clause.text,
            )
    return None


_APPLICANT = r"(?:申请人|申请单位|申请主体|申报单位|申报主体)"
_ENTERPRISE_ONLY = re.compile(
    rf"{_APPLICANT}(?:须|应|应当|必须)?(?:为|是|限于|仅限于?)[^，,。；]{{0,20}}?(?P<what>企业|公司|个体工商户)"
    r"(?!职工|员工|人员|法定代表人|负责人|股东|的)"
    r"|仅限(?:于)?(?:[^，,。；]{0,10}?)(?P<what2>企业|个体工商户)(?:申请|办理)"
)
# 「已在本区登记的企业，营业执照遗失的，可申请补领」: the clause's subject is a registered enterprise.
_ENTERPRISE_SUBJECT = re.compile(
    r"^(?:已|依法)?[^，,。；]{0,12}(?:登记|注册|设立|成立)的(?P<what>企业|公司|个体工商户)(?=[，,]|$)"
)
_PERSON_ONLY = re.compile(
    rf"{_APPLICANT}(?:须|应|应当|必须)?(?:为|是|限于|仅限于?)(?:自然人|个人|本人)(?![^，,。；]{{0,4}}(?:独资|企业))"
    r"|仅限(?:于)?(?:自然人|个人|本人)(?:申请|办理)"
)


def _applicant_kind_condition(clauses: list[_Clause]) -> Condition | None:
    for clause in clauses:
        text = clause.text
        if _FORBIDS.search(text) or _ALTERNATIVE.search(text):
            continue
        if match := _ENTERPRISE_ONLY.search(text) or _ENTERPRISE_SUBJECT.search(text):
            what = match["what"] or match.groupdict().get("what2")
            label = "个体工商户" if what == "个体工商户" else "企业（单位）"
            return _condition(
                ConditionKind.APPLICANT_KIND,
                f"本事项须以{label}名义申请",
                f"是否以{label}名义申请？",
                text,
                applicant_kind="enterprise",
            )
        if _PERSON_ONLY.search(text):
            return _condition(
                ConditionKind.APPLICANT_KIND,
                "本事项须由申请人本人（自然人）申请",
                "是否由申请人本人（自然人）申请？",
                text,
                applicant_kind="person",
            )
    return None


# The declarations: the phrase, and the requirement and question when they are not "申请人须" and
# "申请人是否" followed by the phrase itself. A phrase right after 不/未/丧失/无 is not one.
_DECLARATIONS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"无(?:违法)?(?:刑事)?犯罪记录|未受过刑事处罚"), "", ""),
    (re.compile(r"品行良好"), "", ""),
    (re.compile(r"身体健康|身心健康"), "", ""),
    (re.compile(r"具[有备]完全民事行为能力"), "", ""),
    (
        re.compile(r"具有中华人民共和国国籍|具有中国国籍|的中国公民"),
        "申请人须具有中华人民共和国国籍",
        "申请人是否具有中华人民共和国国籍？",
    ),
    (
        re.compile(r"(?:双方)?均无配偶"),
        "当事人须无配偶（未婚、离婚或丧偶）",
        "当事人是否均无配偶（未婚、离婚或丧偶）？",
    ),
)
_NEGATED_BEFORE = re.compile(r"(?:不|未|丧失|放弃|没有)$")


def _declaration_conditions(clauses: list[_Clause]) -> list[Condition]:
    found: dict[str, Condition] = {}
    for clause in clauses:
        text = clause.text
        for pattern, requirement, question in _DECLARATIONS:
            match = pattern.search(text)
            if match is None or _NEGATED_BEFORE.search(text[: match.start()]):
                continue
            # "双方均无配偶" speaks of both parties: the other party is meant, not someone else.
            if not _plain(text, match.start(), match.end(), other_person_ok="配偶" in match.group(0)):
                continue
            phrase = match.group(0)
            condition = _condition(
                ConditionKind.DECLARATION,
                requirement or f"申请人须{phrase}",
                question or f"申请人是否{phrase}？",
                text,
            )
            found.setdefault(condition.key, condition)
    return list(found.values())


_EDUCATION = re.compile(
    r"具有(?P<level>初中|高中|中专|中等职业学校|大专|高等专科|大学专科|专科|本科|大学本科|硕士研究生|研究生|硕士|博士)"
    r"(?:及|或)?以上(?:学校毕业)?(?:学历|文化程度)"
)


def _education_condition(clauses: list[_Clause]) -> Condition | None:
    for clause in clauses:
        match = _EDUCATION.search(clause.text)
        if match is None or not _plain(clause.text, match.start(), match.end()):
            continue
        level = match["level"]
        return _condition(
            ConditionKind.EDUCATION,
            f"申请人须具有{level}及以上学历",
            f"申请人是否具有{level}及以上学历？",
            clause.text,
        )
    return None


def conditions_of(text: str) -> tuple[Condition, ...]:
    """The checkable conditions an item's conditions text states, in a fixed order."""
    cleaned = normalize_text(text or "")
    if len(cleaned) < 4:
        return ()
    clauses = list(_clauses(cleaned))
    single = (
        _applicant_kind_condition(clauses),
        _age_condition(clauses),
        _household_condition(clauses),
        _residence_permit_condition(clauses),
        _social_insurance_condition(clauses),
        _education_condition(clauses),
    )
    found = [condition for condition in single if condition is not None]
    found += _declaration_conditions(clauses)
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
        by_audience = _condition(
            ConditionKind.APPLICANT_KIND,
            "本事项的服务对象为企业（单位）",
            "是否以企业（单位）名义申请？",
            f"服务对象：{listed}",
            applicant_kind="enterprise",
        )
    else:
        by_audience = _condition(
            ConditionKind.APPLICANT_KIND,
            "本事项的服务对象为个人",
            "是否以个人名义申请？",
            f"服务对象：{listed}",
            applicant_kind="person",
        )
    return (dataclasses.replace(by_audience, strict=False), *found)
