"""转人工: the unanswered question becomes a consultation appeal through the one intake."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from zhengshu.appeals.models import Appeal
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput
from zhengshu.guide.handoff import hand_off


def test_the_question_becomes_a_consultation_appeal(db):
    with transaction(db.factory) as session:
        filed = hand_off(
            session,
            "孩子的疫苗本丢了去哪补",
            name="陈小明",
            phone="13800138000",
            earlier=["疫苗在哪里打"],
            considered=["预防接种证补办"],
        )
    with db.factory() as session:
        appeal = session.get_one(Appeal, filed.id)
        assert appeal.number == filed.number
        assert (appeal.type, appeal.channel) == ("consultation", "assistant")
        assert appeal.title.startswith("智能客服转人工：孩子的疫苗本丢了")
        assert "疫苗在哪里打" in appeal.content and "预防接种证补办" in appeal.content


@pytest.mark.parametrize(
    ("name", "phone", "field"), [("", "13800138000", "appellant_name"), ("陈小明", "123", "appellant_phone")]
)
def test_bad_contact_details_write_nothing(db, name, phone, field):
    with db.factory() as session:
        before = session.scalar(select(func.count()).select_from(Appeal))
    with pytest.raises(InvalidInput) as raised, transaction(db.factory) as session:
        hand_off(session, "疫苗本丢了去哪补", name=name, phone=phone)
    assert field in raised.value.errors
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == before
