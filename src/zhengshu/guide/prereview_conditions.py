"""Pre-review of the item's conditions (受理条件): who may apply (a person or an enterprise), the
applicant's age from their birth date, and the yes/no answers to the conditions' questions."""

from __future__ import annotations

from datetime import date

from zhengshu.guide.application_fields import ApplicantKind, FormField
from zhengshu.guide.application_form import Application
from zhengshu.guide.condition_types import Condition, ConditionKind, age_on, rule_for, satisfies
from zhengshu.guide.item_conditions import conditions_for
from zhengshu.guide.prereview_applicant import Person
from zhengshu.guide.prereview_findings import Finding, error, notice
from zhengshu.guide.records import ItemRecord

__all__ = ["condition_findings", "kind_findings"]


def _ask_help(item: ItemRecord) -> str:
    phone = item.consult_phone.strip()
    return f"可致电 {phone} 咨询" if phone else "可到办事窗口咨询"


def _age_finding(
    condition: Condition, person: Person, today: date, item: ItemRecord, name: str
) -> Finding | None:
    rule = rule_for(condition, person.sex)
    if rule is None or person.birth is None:
        return None
    if satisfies(rule, person.birth, today):
        return None
    age = age_on(person.birth, today)
    who = f"{person.sex}性申请人" if rule.sex else "申请人"
    return error(
        "condition.age",
        f"根据{person.birth_source}，申请人今天{age}周岁，不符合受理条件“{who}{rule.describe()}”",
        f"请核对{person.birth_source}；如填写无误，本事项暂不能受理，{_ask_help(item)}",
        field=name,
    )


def condition_findings(
    application: Application, fields: tuple[FormField, ...], person: Person, item: ItemRecord, today: date
) -> list[Finding]:
    findings: list[Finding] = []
    for field in fields:
        condition = field.condition
        if condition is None:
            continue
        answer = application.values.get(field.name, "")
        name = field.name
        if condition.kind is ConditionKind.AGE and application.kind is ApplicantKind.PERSON:
            age_problem = _age_finding(condition, person, today, item, name)
            if age_problem is not None:
                findings.append(age_problem)
                continue
            if person.birth is not None and rule_for(condition, person.sex) is not None:
                if answer == "否":
                    findings.append(
                        notice(
                            "condition.answer_mismatch",
                            f"根据{person.birth_source}，申请人符合“{condition.requirement.removeprefix('申请人须')}”，与您回答的“否”不一致",
                            "请核对回答和证件信息",
                            field=name,
                        )
                    )
                continue
        if answer == "否":
            findings.append(
                error(
                    "condition.unmet",
                    f"不符合受理条件：{condition.requirement}（您回答“否”）",
                    f"如回答有误，请改为“是”；如确实不符合，本事项暂不能受理，{_ask_help(item)}",
                    field=name,
                )
            )
        elif not answer:
            findings.append(
                notice(
                    "condition.unanswered",
                    f"尚未回答：{condition.question}",
                    "请根据实际情况选择“是”或“否”，受理时将核验",
                    field=name,
                )
            )
    return findings


def kind_findings(item: ItemRecord, application: Application) -> list[Finding]:
    """Who may apply, answered by the form the applicant chose."""
    findings = []
    for condition in conditions_for(item):
        if condition.kind is not ConditionKind.APPLICANT_KIND:
            continue
        if condition.applicant_kind == application.kind.value:
            continue
        wanted = ApplicantKind(condition.applicant_kind).label
        message = f"{condition.requirement}，当前以{application.kind.label}身份填写"
        if condition.strict:
            action = f"请以{wanted}身份重新填写申请；{_ask_help(item)}"
            findings.append(error("condition.applicant_kind", message, action, field="kind"))
        else:
            action = f"请确认是否应以{wanted}身份申请；如不确定，{_ask_help(item)}"
            findings.append(notice("condition.applicant_kind", message, action, field="kind"))
    return findings
