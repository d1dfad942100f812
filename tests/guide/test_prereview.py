"""The pre-review of an application against its item: the form (what is refused outright), each
kind of finding with its Chinese message and what to do, and property tests of the check digits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.guide.applications_data import (
    CREDIT_CODE,
    GUARD,
    GUARD_MATERIALS,
    ID_NUMBER,
    MARRIAGE,
    SHOP,
    SHOP_MATERIALS,
)

from zhengshu.errors import InvalidInput
from zhengshu.guide.application_fields import ApplicantKind, form_fields, masked_values
from zhengshu.guide.application_form import Application, parse_application
from zhengshu.guide.prereview import pre_review
from zhengshu.guide.prereview_findings import Finding, Severity, blocking
from zhengshu.guide.records import ItemRecord
from zhengshu.text.dates import DateProblem, read_day
from zhengshu.text.identifiers import (
    CREDIT_CODE_CHARSET,
    check_char_credit_code,
    check_digit_resident_id,
    resident_id_problem,
)

TODAY = date(2026, 11, 27)
ALL_GUARD_MATERIALS = GUARD_MATERIALS


def _id(birth: date, sequence: str = "123", region: str = "440307") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + check_digit_resident_id(first17)


def _credit(first17: str = "91440300MA5DC6QXX") -> str:
    return first17 + check_char_credit_code(first17)


def _condition_fields(item: ItemRecord, answer: str = "是") -> dict[str, str]:
    return {f.name: answer for f in form_fields(item, ApplicantKind.PERSON) if f.condition is not None}


def _person(item: ItemRecord = GUARD, **values: str) -> dict[str, str]:
    filled = {
        "name": "陈大文",
        "id_type": "居民身份证",
        "id_number": ID_NUMBER,
        "sex": "男",
        "birth_date": "1990-01-01",
        "mobile": "13800138000",
        "address": "深圳市龙岗区龙城街道",
        **_condition_fields(item),
    }
    filled.update(values)
    return filled


def _review(
    item: ItemRecord,
    values: dict[str, str],
    materials: list[dict[str, str]] | None = None,
    kind: str = "person",
) -> list[Finding]:
    raw: dict[str, Any] = {
        "kind": kind,
        "values": values,
        "materials": ALL_GUARD_MATERIALS if materials is None else materials,
    }
    return pre_review(item, parse_application(item, raw), TODAY)


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def _errors(findings: list[Finding]) -> list[str]:
    return [f.code for f in blocking(findings)]


# --- a clean application -------------------------------------------------------------------------


def test_a_complete_application_passes() -> None:
    findings = _review(GUARD, _person())
    # The conditional 户口簿 is only mentioned: it does not stop the application.
    assert _codes(findings) == ["material.missing_conditional"]
    assert blocking(findings) == []


# --- the applicant's fields ----------------------------------------------------------------------


def test_a_wrong_check_digit_says_which_digit_is_expected() -> None:
    findings = _review(GUARD, _person(id_number=ID_NUMBER[:17] + "5"))
    (finding,) = [f for f in findings if f.field == "id_number"]
    assert finding.severity is Severity.ERROR and finding.code == "id_number.check_digit"
    assert finding.message == "身份证号码第18位校验码应为2，与填写的不符"
    assert finding.action.startswith("请核对后重新填写")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("44030719900101123", "id_number.length"),
        ("4403071990010112321", "id_number.length"),
        ("44030719900I01123X", "id_number.characters"),
        ("440307199002301234", "id_number.birth_date"),  # 30 February
        ("440307209001011234", "id_number.birth_date"),  # born in 2090
        ("040307198506203214", "id_number.region"),  # its check digit is right
    ],
)
def test_malformed_id_numbers(number: str, code: str) -> None:
    findings = _review(GUARD, _person(id_number=number))
    assert [f.code for f in findings if f.field == "id_number"] == [code]


def test_an_id_number_as_people_type_it() -> None:
    with_x = next(n for n in (_id(date(1990, 1, 1), f"{s:03d}") for s in range(1000)) if n.endswith("X"))
    for typed in (
        with_x.lower(),
        " ".join([with_x[:6], with_x[6:14], with_x[14:]]),
        with_x.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ):
        values = _person(id_number=typed, sex=("男" if int(with_x[16]) % 2 else "女"))
        assert not [f for f in _review(GUARD, values) if f.field == "id_number"], typed


def test_other_documents_are_not_held_to_gb_11643() -> None:
    findings = _review(GUARD, _person(id_type="护照", id_number="E12345678", birth_date="1990-01-01"))
    assert not [f for f in findings if f.field == "id_number"]
    bad = _review(GUARD, _person(id_type="护照", id_number="E1*"))
    assert [f.code for f in bad if f.field == "id_number"] == ["id_number.format"]


def test_birth_date_and_sex_must_agree_with_the_id_number() -> None:
    findings = _review(GUARD, _person(birth_date="1990-01-02", sex="女"))
    assert _errors(findings) == ["sex.mismatch", "birth_date.mismatch"]
    messages = " ".join(f.message for f in findings)
    assert "第17位" in messages and "第7至14位" in messages


@pytest.mark.parametrize(
    ("typed", "code"),
    [("1380013800", "mobile.format"), ("0755-28901234", "mobile.landline"), ("12345678901", "mobile.format")],
)
def test_mobile_numbers(typed: str, code: str) -> None:
    assert [f.code for f in _review(GUARD, _person(mobile=typed)) if f.field == "mobile"] == [code]
    assert not [f for f in _review(GUARD, _person(mobile="+86 138-0013-8000")) if f.field == "mobile"]


def test_required_fields() -> None:
    findings = _review(GUARD, _person(name="", mobile="", id_number=""))
    assert [(f.field, f.code) for f in findings if f.code == "field.required"] == [
        ("name", "field.required"),
        ("id_number", "field.required"),
        ("mobile", "field.required"),
    ]
    assert all(f.severity is Severity.ERROR for f in findings if f.code == "field.required")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1990-02-30", "出生日期填写有误：1990年2月没有30日"),
        ("1990-13-01", "出生日期填写有误：月份应在1至12之间，填写的是13"),
        ("去年", "出生日期填写有误：日期格式应为“年-月-日”，如 2024-05-01"),
        ("2027-01-01", "出生日期不能晚于今天"),
    ],
)
def test_impossible_and_future_dates(typed: str, message: str) -> None:
    findings = _review(GUARD, _person(birth_date=typed, id_type="护照", id_number="E12345678"))
    assert [f.message for f in findings if f.field == "birth_date"] == [message]


# --- enterprises ---------------------------------------------------------------------------------


def _enterprise(**values: str) -> dict[str, str]:
    filled = {
        "company_name": "深圳市龙岗区示例食品有限公司",
        "credit_code": CREDIT_CODE,
        "legal_rep": "李明",
        "legal_rep_id_number": ID_NUMBER,
        "contact": "王芳",
        "contact_phone": "0755-28901234",
        "established_on": "2018-03-01",
        "term_start": "2018-03-01",
        "term_end": "长期",
        **{f.name: "是" for f in form_fields(SHOP, ApplicantKind.ENTERPRISE) if f.condition is not None},
    }
    filled.update(values)
    return filled


def test_a_complete_enterprise_application_passes() -> None:
    assert _review(SHOP, _enterprise(), SHOP_MATERIALS, kind="enterprise") == []


def test_credit_code_check_character() -> None:
    wrong = CREDIT_CODE[:17] + ("0" if CREDIT_CODE[17] != "0" else "1")
    findings = _review(SHOP, _enterprise(credit_code=wrong), SHOP_MATERIALS, kind="enterprise")
    (finding,) = findings
    assert finding.code == "credit_code.check_digit" and finding.field == "credit_code"
    assert finding.message == f"统一社会信用代码第18位校验码应为{CREDIT_CODE[17]}，与填写的不符"


def test_letters_a_credit_code_never_uses() -> None:
    findings = _review(SHOP, _enterprise(credit_code="91440300MA5DC6QXOT"), SHOP_MATERIALS, kind="enterprise")
    assert findings[0].code == "credit_code.characters" and "O（可能是0）" in findings[0].message


def test_business_term() -> None:
    def term(**values: str) -> list[str]:
        return _codes(_review(SHOP, _enterprise(**values), SHOP_MATERIALS, kind="enterprise"))

    assert term(term_end="2017-12-31") == ["date.order"]
    assert term(term_start="2000-01-01", established_on="2000-01-01", term_end="2020-01-01") == [
        "term.expired"
    ]
    assert term(term_end="2048-03-01") == []


def test_the_legal_representatives_id_number_is_checked() -> None:
    findings = _review(
        SHOP, _enterprise(legal_rep_id_number=ID_NUMBER[:17] + "9"), SHOP_MATERIALS, kind="enterprise"
    )
    assert [f.message for f in findings] == ["法定代表人身份证号码第18位校验码应为2，与填写的不符"]


def test_an_enterprise_only_item_refuses_a_person() -> None:
    values = {
        "name": "陈大文",
        "id_type": "居民身份证",
        "id_number": ID_NUMBER,
        "mobile": "13800138000",
        **_condition_fields(SHOP),
    }
    findings = _review(SHOP, values, SHOP_MATERIALS)
    assert _errors(findings) == ["condition.applicant_kind"]
    assert "须以企业（单位）名义申请" in findings[0].message


# --- conditions ----------------------------------------------------------------------------------


def test_an_answer_that_contradicts_a_condition() -> None:
    values = _person()
    education = next(
        f.name for f in form_fields(GUARD, ApplicantKind.PERSON) if f.condition and "学历" in f.label
    )
    values[education] = "否"
    findings = _review(GUARD, values)
    (finding,) = blocking(findings)
    assert finding.code == "condition.unmet" and finding.field == education
    assert finding.message == "不符合受理条件：申请人须具有初中及以上学历（您回答“否”）"
    assert "0755-28900000" in finding.action


def test_unanswered_questions_are_notices() -> None:
    values = {k: v for k, v in _person().items() if not k.startswith("cond_")}
    findings = _review(GUARD, values)
    assert blocking(findings) == []
    # The age is known from the ID number: only the other three are asked.
    assert _codes(findings).count("condition.unanswered") == 3


def test_the_age_is_checked_against_the_id_number() -> None:
    minor = _id(TODAY - timedelta(days=17 * 365))
    sex = "男" if int(minor[16]) % 2 else "女"
    findings = _review(GUARD, _person(id_number=minor, birth_date="", sex=sex))
    (finding,) = blocking(findings)
    assert finding.code == "condition.age"
    assert finding.message == "根据身份证号码，申请人今天16周岁，不符合受理条件“申请人年满18周岁”"
    assert finding.action == "请核对身份证号码；如填写无误，本事项暂不能受理，可致电 0755-28900000 咨询"
    adult_says_no = _person()
    age_field = next(
        f.name for f in form_fields(GUARD, ApplicantKind.PERSON) if f.condition and "周岁" in f.label
    )
    adult_says_no[age_field] = "否"
    notice = [f for f in _review(GUARD, adult_says_no) if f.field == age_field]
    assert [f.code for f in notice] == ["condition.answer_mismatch"] and notice[0].severity is Severity.NOTICE


def test_age_by_sex() -> None:
    man = _id(date(2005, 6, 1), "011")  # 1 is odd: a man of 21
    woman = _id(date(2005, 6, 1), "020")  # a woman of 21
    base = {"name": "陈", "id_type": "居民身份证", "mobile": "13800138000", **_condition_fields(MARRIAGE)}
    assert _errors(_review(MARRIAGE, {**base, "id_number": man}, [])) == ["condition.age"]
    assert _errors(_review(MARRIAGE, {**base, "id_number": woman}, [])) == []
    age = _review(MARRIAGE, {**base, "id_number": man}, [])[0]
    assert "男性申请人" in age.message and "21周岁" in age.message


# --- materials -----------------------------------------------------------------------------------


def test_materials_findings_name_the_material_and_what_to_do() -> None:
    materials = [
        {"name": "身份证复印件", "form": "复印件", "medium": "纸质", "valid_until": "2026-11-01"},
        {"name": "照片", "issued_on": "2025-01-01"},
    ]
    findings = _review(GUARD, _person(), materials)
    wanted = {
        ("material.needs_original", "居民身份证", "「居民身份证」须提交原件和复印件，您选择的是复印件"),
        ("material.expired", "居民身份证", "「身份证复印件」已于2026年11月01日过期"),
        (
            "material.too_old",
            "6个月内二寸免冠正面半身照片",
            "「6个月内二寸免冠正面半身照片」须为6个月内开具或拍摄，您的材料开具于2025年01月01日，已超过期限",
        ),
        ("material.missing", "学历证明", "缺少申请材料「学历证明」"),
    }
    assert wanted <= {(f.code, f.material, f.message) for f in findings}
    assert all(f.action for f in findings)


def test_a_certificate_lapsing_before_the_promised_limit() -> None:
    # Ten working days from Friday 27 November 2026 end on Friday 11 December.
    materials = [dict(ALL_GUARD_MATERIALS[0], valid_until="2026-12-05"), *ALL_GUARD_MATERIALS[1:]]
    findings = _review(GUARD, _person(), materials)
    assert [f.message for f in findings if f.code == "material.expires_before_done"] == [
        "「身份证」将在本事项预计办结日（2026年12月11日）前到期"
    ]


# --- order and personal data ---------------------------------------------------------------------


def test_findings_follow_the_form_then_the_materials() -> None:
    findings = _review(GUARD, _person(mobile="1", id_number="1"), [])
    fields = [f.field for f in findings if f.field]
    assert fields.index("id_number") < fields.index("mobile")
    assert all(f.field for f in findings[: len(fields)]) and all(f.material for f in findings[len(fields) :])


def test_no_finding_repeats_personal_data() -> None:
    findings = _review(
        GUARD,
        _person(id_number=ID_NUMBER[:17] + "5", mobile="1391234567", name="陈大文", birth_date="1990-01-02"),
    )
    said = " ".join(f"{f.message} {f.action}" for f in findings)
    for secret in (ID_NUMBER[:17], "1391234567", "陈大文", "1990-01-02"):
        assert secret not in said


def test_findings_round_trip_through_json() -> None:
    findings = _review(GUARD, _person(mobile="1"))
    assert [Finding.from_json(f.as_json()) for f in findings] == findings


# --- the form: what is refused before any review -------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"values": {"nickname": "x"}}, "values.nickname"),
        ({"values": {"name": 12}}, "values.name"),
        ({"values": {"name": "陈" * 51}}, "values.name"),
        ({"values": {"id_type": "学生证"}}, "values.id_type"),
        ({"values": "陈大文"}, "values"),
        ({"kind": "robot"}, "kind"),
        ({"materials": [{"name": ""}]}, "materials.0.name"),
        ({"materials": [{"name": "身份证", "form": "扫描件"}]}, "materials.0.form"),
        ({"materials": [{"name": "身份证", "colour": "red"}]}, "materials.0.colour"),
        ({"materials": "身份证"}, "materials"),
        ({"materials": [{"name": "x"}] * 61}, "materials"),
        ({"item": "G1"}, "item"),
    ],
)
def test_bad_input_is_refused_with_a_field_message(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_application(GUARD, raw)
    assert field in refused.value.errors
    assert any("\u4e00" <= char <= "\u9fff" for char in refused.value.message)


def test_values_are_cleaned_and_every_field_is_present() -> None:
    application = parse_application(GUARD, {"values": {"name": "  陈\u0000大文 ", "address": None}})
    assert application.values["name"] == "陈大文" and application.values["address"] == ""
    assert set(application.values) == {f.name for f in form_fields(GUARD, ApplicantKind.PERSON)}


def test_condition_questions_are_yes_no_fields_quoting_the_text() -> None:
    questions = [f for f in form_fields(GUARD, ApplicantKind.PERSON) if f.condition is not None]
    assert [f.label for f in questions] == [
        "申请人是否年满18周岁？",
        "申请人是否具有初中及以上学历？",
        "申请人是否身体健康？",
        "申请人是否具有中华人民共和国国籍？",
    ]
    assert all(f.choices == ("是", "否") and f.hint.startswith("受理条件原文：") for f in questions)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("2024/5/1", date(2024, 5, 1)),
        ("2024年5月1日", date(2024, 5, 1)),
        ("20240501", date(2024, 5, 1)),
        ("２０２４－０５－０１", date(2024, 5, 1)),
        ("二〇二四年五月一日", date(2024, 5, 1)),  # the policy library's reader is the same one
    ],
)
def test_dates_as_people_type_them(typed: str, day: date) -> None:
    assert read_day(typed) == day


def test_impossible_dates_say_why() -> None:
    with pytest.raises(DateProblem, match="2023年2月没有29日"):
        read_day("2023-02-29")
    assert read_day("2024-02-29") == date(2024, 2, 29)


def test_masked_values() -> None:
    fields = form_fields(GUARD, ApplicantKind.PERSON)
    masked = masked_values(
        fields, {"name": "陈大文", "id_number": ID_NUMBER, "mobile": "13800138000", "id_type": "居民身份证"}
    )
    assert masked == {
        "name": "陈**",
        "id_number": "440307********1232",
        "mobile": "138****8000",
        "id_type": "居民身份证",
    }


# --- check digits, by property -------------------------------------------------------------------

births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
regions = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
sequences = st.from_regex(r"[0-9]{3}", fullmatch=True)


def _id_findings(number: str) -> list[Finding]:
    values = {"name": "陈大文", "id_type": "居民身份证", "id_number": number, "mobile": "13800138000"}
    application = Application(
        ApplicantKind.PERSON,
        {f.name: values.get(f.name, "") for f in form_fields(MARRIAGE, ApplicantKind.PERSON)},
    )
    return [f for f in pre_review(MARRIAGE, application, TODAY) if f.field == "id_number"]


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=births, sequence=sequences)
def test_a_valid_id_number_passes(region: str, birth: date, sequence: str) -> None:
    assert _id_findings(_id(birth, sequence, region)) == []


@settings(max_examples=300, deadline=None)
@given(region=regions, birth=births, sequence=sequences, position=st.integers(0, 17), data=st.data())
def test_any_single_character_change_fails(
    region: str, birth: date, sequence: str, position: int, data: st.DataObject
) -> None:
    number = _id(birth, sequence, region)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    findings = _id_findings(changed)
    assert findings and all(f.severity is Severity.ERROR for f in findings)


@settings(max_examples=300, deadline=None)
@given(
    region=st.from_regex(r"[0-9]{6}", fullmatch=True),
    birth=st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31)),
    sequence=sequences,
    last=st.sampled_from([None, *"0123456789X"]),
)
def test_the_pre_review_holds_resident_ids_to_the_one_definition(
    region: str, birth: date, sequence: str, last: str | None
) -> None:
    """zhengshu.text.identifiers decides; the pre-review only words its answer."""
    number = _id(birth, sequence, region)
    if last is not None:
        number = number[:17] + last
    assert (_id_findings(number) == []) is (resident_id_problem(number, TODAY) is None)


credit_bodies = st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17)


def _credit_findings(code: str) -> list[Finding]:
    application = Application(ApplicantKind.ENTERPRISE, {**_enterprise(credit_code=code)})
    return [f for f in pre_review(SHOP, application, TODAY) if f.field == "credit_code"]


@settings(max_examples=200, deadline=None)
@given(body=credit_bodies)
def test_a_valid_credit_code_passes(body: str) -> None:
    assert _credit_findings(_credit(body)) == []


@settings(max_examples=300, deadline=None)
@given(body=credit_bodies, position=st.integers(0, 17), data=st.data())
def test_any_single_credit_code_change_fails(body: str, position: int, data: st.DataObject) -> None:
    code = _credit(body)
    replacement = data.draw(
        st.sampled_from([c for c in CREDIT_CODE_CHARSET + "IOZSV" if c != code[position]])
    )
    changed = code[:position] + replacement + code[position + 1 :]
    findings = _credit_findings(changed)
    assert findings and all(f.severity is Severity.ERROR for f in findings)


def test_an_item_for_enterprises_by_its_audiences_only_warns_a_person() -> None:
    item = ItemRecord(code="A1", name="企业事项", department="局", audiences=("企业法人",))
    values = {"name": "陈大文", "id_type": "居民身份证", "id_number": ID_NUMBER, "mobile": "13800138000"}
    findings = _review(item, values, [])
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (Severity.NOTICE, "condition.applicant_kind", "kind")
    ]
    assert findings[0].message == "本事项的服务对象为企业（单位），当前以个人身份填写"
