"""Checkable conditions read from conditions texts: what is taken, what is left alone (grounds for
refusal, sub-cases, other people, waivers, alternatives), age arithmetic, and the real items."""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.shared_data import SHARED_DATA

from zhengshu.guide.condition_types import AgeRule, ConditionKind, age_on, rule_for, satisfies
from zhengshu.guide.item_conditions import conditions_for, conditions_of
from zhengshu.guide.records import ItemRecord

ITEMS = SHARED_DATA / "service_items" / "gd_service_items_2262.jsonl"


def _kinds(text: str) -> list[str]:
    return [c.kind.value for c in conditions_of(text)]


def _one(text: str, kind: ConditionKind):
    found = [c for c in conditions_of(text) if c.kind is kind]
    assert len(found) == 1, conditions_of(text)
    return found[0]


# --- what is taken -------------------------------------------------------------------------------


def test_a_security_guard_text_gives_age_education_and_declarations() -> None:
    text = "年满18周岁，身体健康，品行良好，具有初中以上学历的中国公民，按规定交纳保安员资格考试费。"
    found = {c.requirement for c in conditions_of(text)}
    assert found == {
        "申请人须年满18周岁",
        "申请人须具有初中及以上学历",
        "申请人须身体健康",
        "申请人须品行良好",
        "申请人须具有中华人民共和国国籍",
    }
    for condition in conditions_of(text):
        assert condition.question.startswith(("申请人是否", "当事人是否")) and condition.question.endswith(
            "？"
        )
        assert condition.source in text


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("年满18周岁", AgeRule(minimum=18)),
        ("60周岁以上的老年人", AgeRule(minimum=60)),
        ("年龄18 周岁以上且不超过60 周岁，具有完全民事行为能力", AgeRule(minimum=18, maximum=60)),
        ("年龄二十五周岁以上六十五周岁以下", AgeRule(minimum=25, maximum=65)),
        ("申请人未满16周岁", AgeRule(maximum=16, maximum_inclusive=False)),
        ("年龄超过35周岁", AgeRule(minimum=35, minimum_inclusive=False)),
    ],
)
def test_age_bounds(text: str, rule: AgeRule) -> None:
    condition = _one(text, ConditionKind.AGE)
    assert condition.age_rules == (rule,)


def test_age_bounds_for_each_sex() -> None:
    condition = _one("3.当事人男方年满22周岁，女方年满20周岁；", ConditionKind.AGE)
    assert condition.age_rules == (AgeRule(sex="男", minimum=22), AgeRule(sex="女", minimum=20))
    assert "男性年满22周岁，女性年满20周岁" in condition.question
    assert rule_for(condition, "女") == AgeRule(sex="女", minimum=20)
    assert rule_for(condition, None) is None


@pytest.mark.parametrize(
    ("text", "requirement"),
    [
        ("申请人须为本市户籍", "申请人须为本市户籍"),
        ("现为我省户籍的人员", "申请人须为本省户籍"),
        ("（一）具有广东省户籍；（二）持有残疾人证", "申请人须为广东省户籍"),
        ("具有深圳市户籍", "申请人须为深圳市户籍"),
        ("非本市户籍人员，持有效居住证", "申请人须为非本市户籍人员"),
        ("户籍在龙岗区", "申请人户籍须在龙岗区"),
    ],
)
def test_household(text: str, requirement: str) -> None:
    assert _one(text, ConditionKind.HOUSEHOLD).requirement == requirement


def test_social_insurance_residence_permit_and_enterprise_only() -> None:
    text = "申请人应为在本区依法登记注册的企业；持有效《深圳经济特区居住证》；在本市连续缴纳社会保险满12个月"
    assert _one(text, ConditionKind.APPLICANT_KIND).applicant_kind == "enterprise"
    assert _one(text, ConditionKind.RESIDENCE_PERMIT).requirement == "申请人须持有有效的深圳经济特区居住证"
    assert _one(text, ConditionKind.SOCIAL_INSURANCE).requirement == "申请人须在本市连续缴纳社会保险满12个月"
    assert _one("仅限个人申请", ConditionKind.APPLICANT_KIND).applicant_kind == "person"


def test_a_declaration_keeps_the_texts_own_words() -> None:
    assert _one("无违法犯罪记录", ConditionKind.DECLARATION).requirement == "申请人须无违法犯罪记录"
    assert _one("（六）身心健康，无传染性疾病", ConditionKind.DECLARATION).requirement == "申请人须身心健康"


def test_the_same_requirement_has_the_same_key_in_every_item() -> None:
    first = _one("申请人须年满18周岁。", ConditionKind.AGE)
    second = _one("1、年满18周岁；2、持有驾驶证", ConditionKind.AGE)
    assert first.key == second.key
    assert first.key != _one("年满16周岁", ConditionKind.AGE).key


# --- what is left alone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # grounds for dismissal or cancellation, not conditions for applying
        "公证员有下列情形之一的，提请司法部予以免职： 1、丧失中华人民共和国国籍的； "
        "2、年满65周岁或者因健康原因不能继续履行职务的；",
        "有下列情形之一的，应当办理注销注册：5、注册有效期满且未延续注册的；6、年龄超过65周岁的；7、死亡或不具有完全民事行为能力的",
        # a waiver
        "转移养老保险关系时，未就业随军配偶不受男性年满50周岁和女性年满40周岁的条件限制",
        # someone else
        "申请人的配偶、未满18周岁子女可随同申请。",
        "股东信誉良好，最近3年无犯罪记录",
        # a sub-case
        "1、申请小型汽车准驾车型的，在18周岁以上、70周岁以下",
        # an age on a past date
        "2012年2月前已年满60周岁且仍在我省从事宗教教务活动的人员",
        # a prohibition
        "未满16周岁的，不得申请",
        # an alternative
        "具有高等专科以上学校毕业学历，或者具有会计或者相关专业中级以上技术职称",
        # a negation
        "不具有完全民事行为能力的",
        # a long list of places
        "户籍在清远市连南瑶族自治县、连山壮族瑶族自治县等390个少数民族聚居村",
        # nothing at all
        "无",
        "",
        "符合《中华人民共和国行政许可法》第十二条规定",
    ],
)
def test_no_condition_is_invented(text: str) -> None:
    assert conditions_of(text) == ()


def test_different_ranges_for_different_cases_give_no_age() -> None:
    text = (
        "（一）年龄条件：1、申请小型汽车准驾车型的，在18周岁以上、70周岁以下；"
        "2、申请大型客车准驾车型的，在26周岁以上，50周岁以下。（二）无犯罪记录"
    )
    assert _kinds(text) == ["declaration"]


def test_conditions_after_a_list_of_refusals_count_again() -> None:
    text = "有下列情形之一的，不予受理：1.未满16周岁的；符合下列条件的可以申请：1.年满18周岁"
    assert _one(text, ConditionKind.AGE).age_rules == (AgeRule(minimum=18),)


# --- age arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2000, 5, 1), date(2018, 4, 30), 17),
        (date(2000, 5, 1), date(2018, 5, 1), 18),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
    ],
)
def test_age_in_full_years(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


def test_bounds_on_the_birthday() -> None:
    birth = date(2000, 5, 1)
    adult = AgeRule(minimum=18)
    assert not satisfies(adult, birth, date(2018, 4, 30))
    assert satisfies(adult, birth, date(2018, 5, 1))
    # 超过18周岁: not on the birthday itself
    assert not satisfies(AgeRule(minimum=18, minimum_inclusive=False), birth, date(2018, 5, 1))
    # 不超过60周岁: still 60 the day before the 61st birthday
    assert satisfies(AgeRule(maximum=60), birth, date(2061, 4, 30))
    assert not satisfies(AgeRule(maximum=60), birth, date(2061, 5, 1))
    # 未满16周岁: until the 16th birthday
    assert satisfies(AgeRule(maximum=16, maximum_inclusive=False), birth, date(2016, 4, 30))
    assert not satisfies(AgeRule(maximum=16, maximum_inclusive=False), birth, date(2016, 5, 1))


# --- the real items ------------------------------------------------------------------------------


def _real_texts() -> dict[str, str]:
    if not ITEMS.exists():
        pytest.skip(f"{ITEMS} not available")
    texts = {}
    with ITEMS.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts[row["TASK_CODE"]] = row.get("accept_standard") or ""
    return texts


def test_on_the_real_items_every_condition_quotes_its_text() -> None:
    texts = _real_texts()
    with_conditions = {code: conditions_of(text) for code, text in texts.items()}
    found = {code: conditions for code, conditions in with_conditions.items() if conditions}
    # Measured: 25 of the 2262 items (1.1 %; 1.9 % of the 1303 with a conditions text).
    assert 20 <= len(found) <= 40
    for code, conditions in found.items():
        for condition in conditions:
            assert condition.source in " ".join(texts[code].split()) or condition.source in texts[code]


def test_on_the_real_items_known_false_matches_stay_out() -> None:
    texts = _real_texts()
    by_text = {text: conditions_of(text) for text in texts.values()}
    dismissal = next(t for t in by_text if t.startswith("公证员有下列情形之一的，提请司法部予以免职"))
    assert by_text[dismissal] == ()
    driving = [t for t in by_text if "申请小型汽车" in t and "准驾车型的，在18周岁以上" in t]
    assert driving and all(ConditionKind.AGE not in {c.kind for c in by_text[t]} for t in driving)
    marriage = next(t for t in by_text if "男方年满22周岁" in t)
    assert {c.kind for c in by_text[marriage]} == {ConditionKind.AGE, ConditionKind.DECLARATION}


def test_a_registered_enterprise_as_the_subject() -> None:
    text = "已在本区登记的企业，营业执照正本或副本遗失、毁损的，可申请补领。"
    assert _one(text, ConditionKind.APPLICANT_KIND).applicant_kind == "enterprise"
    assert (
        _one("具有本市户籍、年满70周岁的老年人", ConditionKind.HOUSEHOLD).requirement == "申请人须为本市户籍"
    )


@pytest.mark.parametrize(
    "text",
    [
        "年满60周岁的本市户籍老年人，或在本市居住的非本市户籍老年人，可申请办理老年人优待证。",
        "未参加职工基本医疗保险的本市户籍居民，以及在本市就读的学生，可参加城乡居民基本医疗保险。",
    ],
)
def test_one_of_several_groups_is_no_condition_on_all(text: str) -> None:
    assert conditions_of(text) == ()


def test_who_may_apply_by_the_items_audiences() -> None:
    companies = ItemRecord(code="A", name="甲", department="乙", audiences=("企业法人", "非法人企业"))
    (condition,) = conditions_for(companies)
    assert condition.applicant_kind == "enterprise" and not condition.strict
    assert condition.source == "服务对象：企业法人、非法人企业"
    both = ItemRecord(code="B", name="甲", department="乙", audiences=("自然人", "企业法人"))
    assert conditions_for(both) == ()
    stated = ItemRecord(
        code="C", name="甲", department="乙", conditions="仅限个人申请", audiences=("企业法人",)
    )
    (only,) = conditions_for(stated)
    assert only.applicant_kind == "person" and only.strict
