"""Exemplary cases: only closed appeals, only curators, every change audited; a searchable library."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.appeals.helpers import submit

from zhengshu.appeals import exemplary, handling
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.audit import AuditEvent
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput, PermissionDenied


def closed_appeal(db, department: str = "cgj", reply: str = "已到现场清运垃圾并消杀。", **overrides) -> int:
    handler = db.user(f"handler_{department}")
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), **overrides)
        handling.dispatch(
            session, appeal.id, db.user("dispatcher"), AppealRules.default(), department_code=department
        )
        handling.accept(session, appeal.id, handler)
        handling.reply(session, appeal.id, handler, text=reply)
        handling.approve(session, appeal.id, db.user("reviewer"))
        return appeal.id


def test_a_closed_appeal_is_marked_changed_and_unmarked_with_audit(db):
    appeal_id = closed_appeal(db)
    with transaction(db.factory) as session:
        case = exemplary.mark(session, db.user("reviewer"), appeal_id, "positive", "当天清运，回访满意")
        assert (case.kind, case.note) == ("positive", "当天清运，回访满意")
    with transaction(db.factory) as session:
        case = exemplary.mark(session, db.user("supervisor"), appeal_id, "negative", "答复空泛")
        assert case.kind == "negative"
    with transaction(db.factory) as session:
        exemplary.unmark(session, db.user("reviewer"), appeal_id)
        assert exemplary.case_of(session, appeal_id) is None
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "appeal_case").order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["appeal_case.marked", "appeal_case.updated", "appeal_case.unmarked"]
    assert events[0].data["note"] == "当天清运，回访满意"
    assert events[1].actor_label == "supervisor"


def test_marking_is_refused_for_open_appeals_other_users_and_bad_input(db):
    appeal_id = closed_appeal(db)
    with transaction(db.factory) as session:
        open_id = submit(session, db.user("operator")).id
    cases = [
        ("reviewer", open_id, "positive", "好", InvalidInput, "已办结"),
        ("handler_cgj", appeal_id, "positive", "好", PermissionDenied, "无权"),
        ("leader", appeal_id, "positive", "好", PermissionDenied, "无权"),
        ("reviewer", appeal_id, "great", "好", InvalidInput, "正面典型或反面典型"),
        ("reviewer", appeal_id, "positive", "  ", InvalidInput, "理由"),
    ]
    for username, target, kind, note, error, words in cases:
        with transaction(db.factory) as session, pytest.raises(error) as caught:
            exemplary.mark(session, db.user(username), target, kind, note)
        assert words in caught.value.message, username
    with transaction(db.factory) as session, pytest.raises(InvalidInput, match="不是典型案例"):
        exemplary.unmark(session, db.user("reviewer"), appeal_id)


def test_the_library_searches_by_kind_category_and_words_within_what_the_viewer_may_read(db):
    noise = closed_appeal(db, title="垃圾清运不及时", category="市容环卫")
    lift = closed_appeal(db, "zjj", title="电梯困人", category="城乡建设", reply="已更换制动器，100%合格")
    with transaction(db.factory) as session:
        exemplary.mark(session, db.user("reviewer"), noise, "positive", "清运及时")
        exemplary.mark(session, db.user("reviewer"), lift, "negative", "未说明维保责任")
        lift_number = session.get_one(Appeal, lift).number

    def numbers(user="reviewer", **filters):
        with transaction(db.factory) as session:
            return [row["number"] for row in exemplary.search(session, db.user(user), **filters).rows]

    assert len(numbers()) == 2
    assert numbers(kind="negative") == [lift_number]
    assert numbers(category="城乡建设") == [lift_number]
    assert numbers(words="维保") == [lift_number]  # the note
    assert numbers(words="制动器") == [lift_number]  # the reply
    assert numbers(words=lift_number) == [lift_number]
    assert numbers(words="100%") == [lift_number]
    assert numbers(words="%") == [lift_number]  # a typed % is no wildcard
    assert numbers("handler_cgj") == [n for n in numbers() if n != lift_number]
    with transaction(db.factory) as session, pytest.raises(InvalidInput):
        exemplary.search(session, db.user("reviewer"), kind="bad")
