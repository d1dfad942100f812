"""The closed-on-paper audit against the database: audits kept per reply, the queue, redo and clear."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.appeals.helpers import submit

from zhengshu.appeals import closure_review, handling
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import Status
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import Conflict, InvalidInput, PermissionDenied

RULES = AppealRules.default()
BOILERPLATE = "您好！您的留言已收悉。我们将认真研究，进一步加强管理。感谢您对我们工作的支持、理解与监督！"
SUBSTANTIVE = (
    "经查，凤凰大道旁工地夜间施工情况属实。5月3日区城管执法中队到现场检查，下达《责令整改通知书》，"
    "罚款5000元，要求22时后停止高噪音作业；5月6日复查，已整改到位。"
)


def replied(db, text: str) -> int:
    with transaction(db.factory) as session:
        appeal_id = submit(session, db.user("operator")).id
    with transaction(db.factory) as session:
        handling.dispatch(session, appeal_id, db.user("dispatcher"), RULES, department_code="zjj")
    with transaction(db.factory) as session:
        handling.accept(session, appeal_id, db.user("admin"))
    with transaction(db.factory) as session:
        handling.reply(session, appeal_id, db.user("admin"), text=text)
    return appeal_id


def closed(db, text: str) -> int:
    appeal_id = replied(db, text)
    with transaction(db.factory) as session:
        handling.approve(session, appeal_id, db.user("reviewer"))
    return appeal_id


def queue_ids(db, user: str = "reviewer") -> list[int]:
    with transaction(db.factory) as session:
        closure_review.ensure_audits(session, db.user(user))
    with transaction(db.factory) as session:
        return [item.appeal.id for item in closure_review.queue(session, db.user(user))]


def current(db, appeal_id: int) -> ClosureAudit:
    with transaction(db.factory) as session:
        row = closure_review.audit_current(session, appeal_id, db.user("reviewer"))
        assert row is not None
        session.expunge(row)
        return row


def test_boilerplate_reply_enters_the_queue_and_a_substantive_one_does_not(db):
    flagged = replied(db, BOILERPLATE)
    fine = replied(db, SUBSTANTIVE)
    ids = queue_ids(db)
    assert flagged in ids and fine not in ids
    row = current(db, flagged)
    assert row.flagged and row.reasons and all(reason["message"] for reason in row.reasons)
    assert not current(db, fine).flagged
    with transaction(db.factory) as session:
        actions = [event.action for event in events_for(session, "appeal", flagged)]
    assert "closure_audit.audited" in actions


def test_auditing_again_without_change_writes_nothing_new(db):
    appeal_id = replied(db, BOILERPLATE)
    first = current(db, appeal_id)
    again = current(db, appeal_id)
    assert first.id == again.id
    with transaction(db.factory) as session:
        count = session.scalar(select(func.count()).where(ClosureAudit.appeal_id == appeal_id))
    assert count == 1


def test_only_auditors_see_the_queue(db):
    replied(db, BOILERPLATE)
    with transaction(db.factory) as session, pytest.raises(PermissionDenied):
        closure_review.queue(session, db.user("handler_zjj"))


def test_redo_of_a_reply_under_review_sends_it_back(db):
    appeal_id = replied(db, BOILERPLATE)
    row = current(db, appeal_id)
    with transaction(db.factory) as session:
        closure_review.send_for_redo(session, row.id, db.user("reviewer"), RULES, note="未说明采取了什么措施")
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        assert appeal.status == Status.HANDLING.value
        stored = session.get_one(ClosureAudit, row.id)
        assert stored.decision == "redo" and stored.decided_by_id == db.user("reviewer").id
        events = events_for(session, "appeal", appeal_id)
        sent_back = [e for e in events if e.action == "appeal.sent_back"]
        assert sent_back and sent_back[-1].data["reason"].startswith("形式办结审查：")
        assert "closure_audit.redo" in [e.action for e in events]
    assert appeal_id not in queue_ids(db)


def test_redo_of_a_closed_reply_reopens_it_and_the_new_reply_is_audited_afresh(db):
    appeal_id = closed(db, BOILERPLATE)
    row = current(db, appeal_id)
    with transaction(db.factory) as session:
        closure_review.send_for_redo(session, row.id, db.user("reviewer"), RULES, note="请答复具体处理结果")
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        assert appeal.status == Status.HANDLING.value and appeal.reopen_count == 1
    with transaction(db.factory) as session:
        handling.reply(session, appeal_id, db.user("admin"), text=SUBSTANTIVE)
    new = current(db, appeal_id)
    assert new.id != row.id and not new.flagged


def test_clearing_needs_a_note_and_takes_the_reply_out_of_the_queue(db):
    appeal_id = replied(db, BOILERPLATE)
    row = current(db, appeal_id)
    with transaction(db.factory) as session, pytest.raises(InvalidInput, match="排除理由"):
        closure_review.clear_flag(session, row.id, db.user("reviewer"), note="  ")
    with transaction(db.factory) as session:
        closure_review.clear_flag(session, row.id, db.user("reviewer"), note="已电话确认诉求人问题已解决")
    assert appeal_id not in queue_ids(db)
    with transaction(db.factory) as session, pytest.raises(Conflict):
        closure_review.clear_flag(session, row.id, db.user("reviewer"), note="再次排除")


def test_a_dissatisfied_follow_up_reaudits_the_closed_reply(db):
    appeal_id = closed(db, "您好，工地已停止夜间施工。")
    before = current(db, appeal_id)
    with transaction(db.factory) as session:
        handling.follow_up(session, appeal_id, db.user("reviewer"), satisfaction=Satisfaction.DISSATISFIED)
    after = current(db, appeal_id)
    assert after.id == before.id and after.dissatisfied
    assert not before.flagged and after.flagged
    assert "dissatisfied" in [reason["code"] for reason in after.reasons]


def test_a_repeat_appeal_after_the_reply_counts_as_a_signal(db):
    appeal_id = closed(db, BOILERPLATE)
    with transaction(db.factory) as session:
        submit(session, db.user("operator"), title="再次反映小区门口夜间施工噪音扰民")
    assert current(db, appeal_id).repeat_appeals == 1
