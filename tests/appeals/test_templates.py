"""Reply templates: fields checked at save time, filled from the appeal, suggested by category and words."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.appeals.helpers import submit

from zhengshu.appeals import handling, templates
from zhengshu.appeals.demo_templates import DEMO_TEMPLATES, ensure_demo_templates
from zhengshu.appeals.library_models import ReplyTemplate
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.templates import TemplateInput
from zhengshu.audit import AuditEvent
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput, PermissionDenied


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{诉求编号", "未结束"),
        ("诉求编号}", "没有对应"),
        ("{{诉求编号}}", "尚未用"),
        ("您好，{诉求人姓名}", "未知字段 {诉求人姓名}"),
        ("{}", "未知字段 {}"),
    ],
)
def test_bad_fields_are_refused_with_a_chinese_message(body, words):
    with pytest.raises(InvalidInput) as caught:
        TemplateInput(title="t", body=body).cleaned()
    assert words in caught.value.message
    assert caught.value.errors.get("body")


def test_every_declared_field_is_accepted():
    body = "".join(f"{{{name}}}" for name in templates.FIELDS)
    assert TemplateInput(title="t", body=body).cleaned().body == body


def test_empty_title_body_and_unknown_category_are_refused():
    with pytest.raises(InvalidInput) as caught:
        TemplateInput(title=" ", body=" ", category="火星事务").cleaned()
    assert set(caught.value.errors) == {"title", "body", "category"}


def test_fields_are_filled_from_the_appeal_and_personal_data_masked(db):
    with transaction(db.factory) as session:
        appeal = submit(
            session,
            db.user("operator"),
            title="联系13812345678的张三反映垃圾没人清运",
            category="市容环卫",
        )
        handling.dispatch(
            session, appeal.id, db.user("dispatcher"), AppealRules.default(), department_code="cgj"
        )
        body = (
            "{诉求人称呼}！{受理日期}编号{诉求编号}“{诉求标题}”，地点{地点}，由{承办单位}在{办理时限}前办结。"
        )
        neutral = templates.render(body, appeal)
        named = templates.render(body, appeal, use_surname=True)
        created, due = appeal.created_at, appeal.due_at
        number = appeal.number
    assert neutral.startswith("您好！")
    assert named.startswith("尊敬的张先生/女士，您好！")
    assert f"{created.year}年{created.month}月{created.day}日编号{number}" in neutral
    assert due is not None and f"在{due.year}年{due.month}月{due.day}日前办结" in neutral
    assert "地点平湖街道凤凰大道88号" in neutral
    assert "由区城市管理和综合执法局在" in neutral
    assert "13812345678" not in neutral and "张三" not in neutral
    assert "张*" in neutral and "138****5678" in neutral


@pytest.mark.parametrize(
    ("name", "expected"), [("匿名市民", "您好"), ("欧阳娜娜", "尊敬的欧阳先生/女士，您好")]
)
def test_salutation_names_only_a_named_appellant(db, name, expected):
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), appellant_name=name)
        assert templates.render("{诉求人称呼}", appeal, use_surname=True) == expected


def test_only_template_managers_write_templates_and_every_change_is_audited(db):
    given = TemplateInput(title="垃圾清运答复", body="{诉求人称呼}！已清运。", category="市容环卫")
    with transaction(db.factory) as session, pytest.raises(PermissionDenied):
        templates.create_template(session, db.user("handler_cgj"), given)
    with transaction(db.factory) as session:
        created = templates.create_template(session, db.user("reviewer"), given)
        template_id = created.id
        with pytest.raises(InvalidInput, match="已有名为"):
            templates.create_template(session, db.user("admin"), given)
    with transaction(db.factory) as session:
        updated = templates.update_template(
            session, db.user("reviewer"), template_id, TemplateInput(title="垃圾清运", body="已清运，{地点}")
        )
        assert (updated.title, updated.category) == ("垃圾清运", None)
        with pytest.raises(InvalidInput, match="未知字段"):
            templates.update_template(session, db.user("reviewer"), template_id, TemplateInput("x", "{坏}"))
    with transaction(db.factory) as session:
        templates.delete_template(session, db.user("reviewer"), template_id)
    with transaction(db.factory) as session:
        assert session.get(ReplyTemplate, template_id) is None
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "reply_template")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["reply_template.created", "reply_template.updated", "reply_template.deleted"]


def test_suggestions_prefer_the_category_and_the_words_of_the_appeal(db):
    with transaction(db.factory) as session:
        ensure_demo_templates(session)
        appeal = submit(
            session,
            db.user("operator"),
            title="小区垃圾收集点清运不及时",
            content="垃圾收集点三天没有清运，臭味很大。",
            category="市容环卫",
        )
        found = templates.suggest(session, appeal)
    titles = [s.template.title for s in found]
    assert titles[0] == "市容环卫·垃圾清运"
    assert "分类相同（市容环卫）" in found[0].reasons
    assert any("垃圾" in reason for reason in found[0].reasons)
    assert all(s.template.category in (None, "市容环卫") for s in found)
    assert found[0].score > found[-1].score
    assert "{" not in found[0].text and appeal.number in found[0].text


def test_demo_templates_are_valid_and_load_once(db):
    with transaction(db.factory) as session:
        assert ensure_demo_templates(session) == len(DEMO_TEMPLATES)
        assert ensure_demo_templates(session) == 0
