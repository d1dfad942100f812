"""Matching attached materials to the required ones: names, synonyms, one-to-one pairing, and the
problems found (missing, extra, copies, paper or electronic, dates)."""

from __future__ import annotations

from datetime import date

import pytest

from zhengshu.guide.application_form import AttachedMaterial
from zhengshu.guide.material_names import canonical_name, match_materials, similarity
from zhengshu.guide.materials_match import ProblemKind, check_materials, freshness, is_conditional
from zhengshu.guide.records import Material

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("required", "attached"),
    [
        ("居民身份证", "身份证复印件"),
        ("居民身份证", "身份证明"),
        ("申请人身份证明", "二代身份证"),
        ("《医师资格证书》", "医师资格证书"),
        ("营业执照（副本）", "企业法人营业执照"),
        ("居民户口簿", "户口本"),
        ("申请人未满16周岁未办理身份证的交验户口簿", "户口本"),
        ("个人委托书", "授权委托书"),
        ("白底正面免冠彩色本人单人半身证件照", "证件照"),
        ("社会保险参保缴费证明", "社保缴费证明"),
    ],
)
def test_names_that_mean_the_same_document(required: str, attached: str) -> None:
    assert similarity(required, attached) >= 0.5


@pytest.mark.parametrize(
    ("required", "attached"),
    [
        ("居民身份证", "营业执照"),
        ("监护人身份证明", "身份证"),
        ("代办人身份证", "居民身份证"),
        ("结婚证", "离婚证"),
        ("医师执业证书", "护照"),
    ],
)
def test_names_of_different_documents(required: str, attached: str) -> None:
    assert similarity(required, attached) < 0.5


def test_canonical_names() -> None:
    assert canonical_name("《中华人民共和国居民身份证》（原件及复印件）") == "居民身份证"
    assert canonical_name("营业执照副本复印件一份") == "营业执照"


def test_each_attached_material_answers_one_requirement_best_first() -> None:
    required = [Material("申请表"), Material("执业药师首次注册申请表"), Material("居民身份证")]
    attached = [AttachedMaterial("执业药师首次注册申请表"), AttachedMaterial("身份证")]
    pairs, missing, extra = match_materials(required, attached)
    assert [(p.required.name, p.attached.name) for p in pairs] == [
        ("执业药师首次注册申请表", "执业药师首次注册申请表"),
        ("居民身份证", "身份证"),
    ]
    assert missing == [Material("申请表")] and extra == []


def _kinds(
    required: list[Material], attached: list[AttachedMaterial], finish_by: date | None = None
) -> list[ProblemKind]:
    return [p.kind for p in check_materials(required, attached, TODAY, finish_by=finish_by).problems]


def test_missing_conditional_and_extra() -> None:
    required = [
        Material("居民身份证"),
        Material("学历证明"),
        Material("就学人员提交在学证明"),
        Material("委托书", optional=True),
    ]
    problems = check_materials(
        required, [AttachedMaterial("身份证"), AttachedMaterial("购房合同")], TODAY
    ).problems
    assert [(p.kind, p.name) for p in problems] == [
        (ProblemKind.MISSING, "学历证明"),
        (ProblemKind.MISSING_CONDITIONAL, "就学人员提交在学证明"),
        (ProblemKind.MISSING_CONDITIONAL, "委托书"),
        (ProblemKind.EXTRA, "购房合同"),
    ]


def test_conditional_names_of_the_real_data() -> None:
    assert is_conditional(Material("路段辖区公安机关交通管理部门意见（影响交通安全的）"))
    assert is_conditional(Material("我市户籍居民的外省户籍配偶关系交验结婚证"))
    assert not is_conditional(Material("居民身份证"))
    assert not is_conditional(Material("提交身份证原件"))


@pytest.mark.parametrize(
    ("form", "medium", "have_form", "have_medium", "kinds"),
    [
        ("原件", "", "复印件", "", [ProblemKind.NEEDS_ORIGINAL]),
        ("原件和复印件", "", "复印件", "", [ProblemKind.NEEDS_ORIGINAL]),
        ("原件和复印件", "", "原件", "", [ProblemKind.NEEDS_COPY_TOO]),
        ("原件和复印件", "", "原件和复印件", "", []),
        ("原件或复印件", "", "复印件", "", []),
        ("复印件", "", "原件", "", []),
        ("原件", "", "", "", []),  # not said: nothing to hold against it
        ("", "纸质", "", "电子", [ProblemKind.NEEDS_PAPER]),
        ("", "电子", "", "纸质", [ProblemKind.NEEDS_ELECTRONIC]),
        ("", "纸质或电子", "", "电子", []),
    ],
)
def test_forms_and_media(
    form: str, medium: str, have_form: str, have_medium: str, kinds: list[ProblemKind]
) -> None:
    required = [Material("居民身份证", form=form, medium=medium)]
    assert _kinds(required, [AttachedMaterial("身份证", have_form, have_medium)]) == kinds


@pytest.mark.parametrize(
    ("valid_until", "issued_on", "kinds"),
    [
        ("2026-11-26", "", [ProblemKind.EXPIRED]),
        ("2026-11-27", "", []),  # valid through today
        ("2030-01-01", "", []),
        ("2026-02-30", "", [ProblemKind.BAD_DATE]),
        ("明年", "", [ProblemKind.BAD_DATE]),
        ("", "2026-12-01", [ProblemKind.ISSUED_IN_FUTURE]),
        ("2020-01-01", "2021-01-01", [ProblemKind.ENDS_BEFORE_ISSUED]),
        ("2036年5月1日", "2016/5/1", []),
    ],
)
def test_dates(valid_until: str, issued_on: str, kinds: list[ProblemKind]) -> None:
    required = [Material("居民身份证")]
    assert (
        _kinds(required, [AttachedMaterial("身份证", valid_until=valid_until, issued_on=issued_on)]) == kinds
    )


def test_a_certificate_lapsing_before_the_item_is_done() -> None:
    required = [Material("居民身份证")]
    attached = [AttachedMaterial("身份证", valid_until="2026-12-05")]
    assert _kinds(required, attached, finish_by=date(2026, 12, 11)) == [ProblemKind.EXPIRES_BEFORE_DONE]
    assert _kinds(required, attached, finish_by=date(2026, 12, 1)) == []


def test_recent_materials() -> None:
    photo = Material("6个月内二寸免冠正面半身照片")
    assert freshness(photo) == (180, "6个月内")
    assert freshness(Material("体检表", note="近三个月内")) == (90, "3个月内")
    assert freshness(Material("居民身份证")) is None
    assert _kinds([photo], [AttachedMaterial("照片", issued_on="2026-01-01")]) == [ProblemKind.TOO_OLD]
    assert _kinds([photo], [AttachedMaterial("照片", issued_on="2026-10-01")]) == []
    assert _kinds([photo], [AttachedMaterial("照片")]) == [ProblemKind.FRESHNESS_UNKNOWN]


def test_an_extra_material_is_still_checked_for_expiry() -> None:
    kinds = _kinds(
        [Material("居民身份证")],
        [AttachedMaterial("身份证"), AttachedMaterial("驾驶证", valid_until="2020-01-01")],
    )
    assert kinds == [ProblemKind.EXTRA, ProblemKind.EXPIRED]
