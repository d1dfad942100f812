"""转人工: the unanswered question becomes a consultation appeal through the one intake, with the
items the assistant considered worked out by the server, never taken from the asker."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from zhengshu.appeals.drafts import MAX_CONTENT
from zhengshu.appeals.models import Appeal
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput
from zhengshu.guide.handoff import hand_off
from zhengshu.guide.retrieval import ItemIndex

from .assistant_items import ITEMS


@pytest.fixture(scope="module")
def index() -> ItemIndex:
    return ItemIndex(ITEMS)


def test_the_question_becomes_a_consultation_appeal(db, index):
    with transaction(db.factory) as session:
        filed = hand_off(
            session, index, "公积金怎么提取", name="陈小明", phone="13800138000", earlier=["疫苗在哪里打"]
        )
    with db.factory() as session:
        appeal = session.get_one(Appeal, filed.id)
        assert appeal.number == filed.number
        assert (appeal.type, appeal.channel) == ("consultation", "assistant")
        assert appeal.title.startswith("智能客服转人工：公积金怎么提取")
        assert "疫苗在哪里打" in appeal.content
        # The items the assistant offered for it, as the server found them.
        assert "住房公积金提取" in appeal.content


def test_a_long_conversation_keeps_the_newest_questions(db, index):
    earlier = [f"第{n}个问题" + "很长" * 240 for n in range(5)]
    with transaction(db.factory) as session:
        filed = hand_off(session, index, "讲个笑话吧", name="陈小明", phone="13800138000", earlier=earlier)
    with db.factory() as session:
        content = session.get_one(Appeal, filed.id).content
    assert len(content) <= MAX_CONTENT and "讲个笑话吧" in content and "第4个问题" in content


@pytest.mark.parametrize(
    ("name", "phone", "field"), [("", "13800138000", "appellant_name"), ("陈小明", "123", "appellant_phone")]
)
def test_bad_contact_details_write_nothing(db, index, name, phone, field):
    with db.factory() as session:
        before = session.scalar(select(func.count()).select_from(Appeal))
    with pytest.raises(InvalidInput) as raised, transaction(db.factory) as session:
        hand_off(session, index, "疫苗本丢了去哪补", name=name, phone=phone)
    assert field in raised.value.errors
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == before
