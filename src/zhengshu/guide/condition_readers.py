"""The conditions other than age read from a conditions text: household registration (户籍), social
insurance paid, a residence permit, who may apply (only enterprises, or only natural persons),
the applicant's declarations (无犯罪记录, 品行良好, …) and education."""

from __future__ import annotations

import re

from zhengshu.guide.condition_text import ALTERNATIVE, FORBIDS, NUMBER, Clause, make_condition, plain
from zhengshu.guide.condition_types import Condition, ConditionKind
from zhengshu.text.numerals import chinese_to_int

__all__ = [
    "applicant_kind_condition",
    "declaration_conditions",
    "education_condition",
    "household_condition",
    "residence_permit_condition",
    "social_insurance_condition",
]

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


def household_condition(clauses: list[Clause]) -> Condition | None:
    for clause in clauses:
        text = clause.text
        for match in _HOUSEHOLD.finditer(text):
            scope = match["scope"]
            if scope.startswith(("外省", "外市", "其他")) or not plain(text, match.start(), match.end()):
                continue
            scope = _LEADING_VERB.sub("", scope)
            scope = _SCOPE_NAMES.get(scope, scope)
            if match["neg"]:
                return make_condition(
                    ConditionKind.HOUSEHOLD,
                    f"申请人须为非{scope}户籍人员",
                    f"申请人是否为非{scope}户籍人员？",
                    text,
                )
            return make_condition(
                ConditionKind.HOUSEHOLD, f"申请人须为{scope}户籍", f"申请人是否为{scope}户籍？", text
            )
        for match in _HOUSEHOLD_IN.finditer(text):
            if not plain(text, match.start(), match.end()):
                continue
            scope = match["scope"].strip()
            if _LONG_LIST.search(text[match.end() : match.end() + 80]) or "、" in scope:
                continue
            return make_condition(
                ConditionKind.HOUSEHOLD, f"申请人户籍须在{scope}", f"申请人户籍是否在{scope}？", text
            )
    return None


_SOCIAL_INSURANCE = re.compile(
    r"(?:在(?P<scope>[\u4e00-\u9fa5]{2,8}?)(?:内)?(?=连续|累计|缴纳|参加|参保|缴交))?"
    r"(?P<how>连续|累计)?(?:缴纳|参加|参保缴纳|缴交)?(?:城镇职工)?"
    r"(?P<what>社会保险|社保|基本养老保险|养老保险|医疗保险)(?:费)?(?:缴费)?(?:已|累计|连续)?(?:满|达到)"
    rf"(?P<n>{NUMBER})\s*(?:个)?(?P<unit>月|年)"
)


def social_insurance_condition(clauses: list[Clause]) -> Condition | None:
    for clause in clauses:
        for match in _SOCIAL_INSURANCE.finditer(clause.text):
            if not plain(clause.text, match.start(), match.end()):
                continue
            try:
                count = chinese_to_int(match["n"])
            except ValueError:
                continue
            scope = _SCOPE_NAMES.get(match["scope"] or "", match["scope"] or "")
            where = f"在{scope}" if scope else ""
            unit = "个月" if match["unit"] == "月" else "年"
            what = f"{where}{match['how'] or ''}缴纳{match['what']}满{count}{unit}"
            return make_condition(
                ConditionKind.SOCIAL_INSURANCE, f"申请人须{what}", f"申请人是否已{what}？", clause.text
            )
    return None


_RESIDENCE_PERMIT = re.compile(
    r"(?<![未不无])持(?:有)?(?:有效)?(?:的)?《?(?P<name>(?:[\u4e00-\u9fa5]{2,8}?)?居住证)》?"
)


def residence_permit_condition(clauses: list[Clause]) -> Condition | None:
    for clause in clauses:
        for match in _RESIDENCE_PERMIT.finditer(clause.text):
            if not plain(clause.text, match.start(), match.end()):
                continue
            name = match["name"]
            return make_condition(
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


def applicant_kind_condition(clauses: list[Clause]) -> Condition | None:
    for clause in clauses:
        text = clause.text
        if FORBIDS.search(text) or ALTERNATIVE.search(text):
            continue
        if match := _ENTERPRISE_ONLY.search(text) or _ENTERPRISE_SUBJECT.search(text):
            what = match["what"] or match.groupdict().get("what2")
            label = "个体工商户" if what == "个体工商户" else "企业（单位）"
            return make_condition(
                ConditionKind.APPLICANT_KIND,
                f"本事项须以{label}名义申请",
                f"是否以{label}名义申请？",
                text,
                applicant_kind="enterprise",
            )
        if _PERSON_ONLY.search(text):
            return make_condition(
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


def declaration_conditions(clauses: list[Clause]) -> list[Condition]:
    found: dict[str, Condition] = {}
    for clause in clauses:
        text = clause.text
        for pattern, requirement, question in _DECLARATIONS:
            match = pattern.search(text)
            if match is None or _NEGATED_BEFORE.search(text[: match.start()]):
                continue
            # "双方均无配偶" speaks of both parties: the other party is meant, not someone else.
            if not plain(text, match.start(), match.end(), other_person_ok="配偶" in match.group(0)):
                continue
            phrase = match.group(0)
            condition = make_condition(
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


def education_condition(clauses: list[Clause]) -> Condition | None:
    for clause in clauses:
        match = _EDUCATION.search(clause.text)
        if match is None or not plain(clause.text, match.start(), match.end()):
            continue
        level = match["level"]
        return make_condition(
            ConditionKind.EDUCATION,
            f"申请人须具有{level}及以上学历",
            f"申请人是否具有{level}及以上学历？",
            clause.text,
        )
    return None
