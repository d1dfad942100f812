"""并案: merging appeals into a main appeal, and every appellant informed when it closes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.appeals.helpers import submit

from zhengshu.appeals import handling, merging, queries
from zhengshu.appeals.models import Appeal, ExtensionRequest
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.workflow import Action, Status
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.web.api_public import public_view

RULES = AppealRules.default()


def three(db) -> tuple[str, str, str]:
    with transaction(db.factory) as session:
        return tuple(
            submit(session, appellant_phone=f"1380000000{i}", appellant_name=f"诉求人{i}").number
            for i in range(3)
        )


def appeal(session, number: str) -> Appeal:
    found = queries.by_number(session, number)
    assert found is not None
    return found


def test_a_merged_appeal_keeps_its_appellant_points_at_its_main_and_leaves_the_queues(db):
    main, other, _ = three(db)
    dispatcher = db.user("dispatcher")
    with transaction(db.factory) as session:
        merged = merging.merge(
            session, appeal(session, other).id, dispatcher, main_number=main, reason="同一工地"
        )
        assert merged.status == Status.MERGED.value
        assert merged.merged_into_id == appeal(session, main).id
        assert merged.appellant_phone == "13800000001"
    with transaction(db.factory) as session:
        queued = {a.number for a in queries.dispatch_queue(session).items}
        assert other not in queued and main in queued
        merged_events = [(e.action, e.data) for e in events_for(session, "appeal", appeal(session, other).id)]
        main_events = [(e.action, e.data) for e in events_for(session, "appeal", appeal(session, main).id)]
        assert merged_events[-1] == (
            "appeal.merged",
            {"from": "submitted", "to": "merged", "reason": "同一工地", "main": main},
        )
        assert main_events[-1] == ("appeal.merge_received", {"merged": other, "reason": "同一工地"})
        assert appeal(session, main).version == 2  # touched: a concurrent approval conflicts
        assert queries.available_actions(session, appeal(session, other), dispatcher) == []


def test_closing_the_main_appeal_closes_the_merged_ones_with_its_reply(db):
    main, first, second = three(db)
    admin, reviewer = db.user("admin"), db.user("reviewer")
    with transaction(db.factory) as session:
        merging.merge_into(session, main, [first, second, first], db.user("dispatcher"))
        main_id = appeal(session, main).id
        handling.dispatch(session, main_id, admin, RULES, department_code="zjj")
        handling.accept(session, main_id, admin)
        handling.reply(session, main_id, admin, text="已责令施工单位夜间停工，并安排专人巡查。")
    with transaction(db.factory) as session:
        # Still merged while the reply waits for review.
        assert appeal(session, first).status == Status.MERGED.value
        handling.approve(session, main_id, reviewer)
    with transaction(db.factory) as session:
        for number in (first, second):
            closed = appeal(session, number)
            assert closed.status == Status.CLOSED.value
            assert closed.reply == "已责令施工单位夜间停工，并安排专人巡查。"
            assert closed.closed_at is not None
            events = events_for(session, "appeal", closed.id)
            assert events[-1].action == "appeal.closed_with_main"
            assert events[-1].data == {"from": "merged", "to": "closed", "main": main}
            assert events[-1].actor_id == reviewer.id
            # The appellant sees the answer and the steps on the public tracking page.
            view = public_view(closed, events)
            assert view["reply"] == "已责令施工单位夜间停工，并安排专人巡查。"
            assert [row["label"] for row in view["timeline"]] == ["受理登记", "并案", "随主件办结"]
        # Each appellant gets a follow-up call.
        follow_up = {a.number for a in queries.follow_up_queue(session).items}
        assert {main, first, second} <= follow_up


def test_merging_a_main_appeal_moves_its_merged_ones_along(db):
    main, middle, leaf = three(db)
    dispatcher = db.user("dispatcher")
    with transaction(db.factory) as session:
        merging.merge(session, appeal(session, leaf).id, dispatcher, main_number=middle)
        merging.merge(session, appeal(session, middle).id, dispatcher, main_number=main)
    with transaction(db.factory) as session:
        main_id = appeal(session, main).id
        assert appeal(session, leaf).merged_into_id == main_id
        assert [a.number for a in merging.merged_into(session, main_id)] == [middle, leaf]
        assert events_for(session, "appeal", main_id)[-1].data == {"merged": middle, "followers": 1}
        # The moved appeal's own history says where it went.
        moved = events_for(session, "appeal", appeal(session, leaf).id)[-1]
        assert moved.action == "appeal.merge_moved"
        assert moved.data == {"from": middle, "main": main}
        assert moved.actor_id == dispatcher.id


def test_a_pending_extension_is_withdrawn_by_the_merge(db):
    main, other, _ = three(db)
    admin = db.user("admin")
    with transaction(db.factory) as session:
        other_id = appeal(session, other).id
        handling.dispatch(session, other_id, admin, RULES, department_code="zjj")
        handling.accept(session, other_id, admin)
        handling.request_extension(session, other_id, admin, days=3, reason="需现场核查")
        merging.merge(session, other_id, db.user("dispatcher"), main_number=main)
    with transaction(db.factory) as session:
        extension = session.scalar(select(ExtensionRequest).where(ExtensionRequest.appeal_id == other_id))
        assert extension.status == "withdrawn"


@pytest.mark.parametrize(
    ("who", "main_of", "error", "message"),
    [
        ("handler_zjj", "main", NotFound, None),  # a handler reads no undispatched appeal
        ("operator", "main", PermissionDenied, "话务员无权执行“并案”"),
        ("dispatcher", "self", InvalidInput, "不能把诉求并入它自己"),
        ("dispatcher", "", InvalidInput, "请选择主件（并入哪一件诉求）"),
        ("dispatcher", "nobody", NotFound, "诉求不存在或无权查看"),
    ],
)
def test_refused_merges_change_nothing(db, who, main_of, error, message):
    main, other, _ = three(db)
    target = {"main": main, "self": other, "": "", "nobody": "99999999999"}[main_of]
    with pytest.raises(error) as caught, transaction(db.factory) as session:
        merging.merge(session, appeal(session, other).id, db.user(who), main_number=target)
    if message:
        assert caught.value.message == message
    with transaction(db.factory) as session:
        assert appeal(session, other).status == Status.SUBMITTED.value
        assert appeal(session, other).merged_into_id is None
        assert appeal(session, main).version == 1


def test_no_merge_into_a_closed_or_merged_appeal_nor_of_a_reply_under_review(db):
    main, other, third = three(db)
    admin, dispatcher = db.user("admin"), db.user("dispatcher")
    with transaction(db.factory) as session:
        merging.merge(session, appeal(session, third).id, dispatcher, main_number=main)
    with pytest.raises(IllegalTransition, match="本身已并案"), transaction(db.factory) as session:
        merging.merge(session, appeal(session, other).id, dispatcher, main_number=third)
    with transaction(db.factory) as session:
        main_id = appeal(session, main).id
        handling.dispatch(session, main_id, admin, RULES, department_code="zjj")
        handling.accept(session, main_id, admin)
        handling.reply(session, main_id, admin, text="已处理")
    with pytest.raises(IllegalTransition, match="不能执行“并案”"), transaction(db.factory) as session:
        merging.merge(session, main_id, dispatcher, main_number=other)
    with transaction(db.factory) as session:
        handling.approve(session, main_id, admin)
    with pytest.raises(IllegalTransition, match="已办结"), transaction(db.factory) as session:
        merging.merge(session, appeal(session, other).id, dispatcher, main_number=main)


def test_merging_several_is_all_or_nothing(db):
    main, first, second = three(db)
    admin = db.user("admin")
    with transaction(db.factory) as session:
        second_id = appeal(session, second).id
        handling.dispatch(session, second_id, admin, RULES, department_code="zjj")
        handling.accept(session, second_id, admin)
        handling.reply(session, second_id, admin, text="已处理")
    with pytest.raises(IllegalTransition), transaction(db.factory) as session:
        merging.merge_into(session, main, [first, second], db.user("dispatcher"))
    with transaction(db.factory) as session:
        assert appeal(session, first).status == Status.SUBMITTED.value
    with pytest.raises(InvalidInput, match="请选择要并入主件的诉求"), transaction(db.factory) as session:
        merging.merge_into(session, main, [main, " "], db.user("dispatcher"))


def test_a_stale_version_is_a_conflict_and_close_with_main_is_never_taken_by_hand(db):
    main, other, _ = three(db)
    admin = db.user("admin")
    with pytest.raises(Conflict), transaction(db.factory) as session:
        merging.merge(session, appeal(session, other).id, admin, main_number=main, expected_version=7)
    with pytest.raises(IllegalTransition, match="自动办结"), transaction(db.factory) as session:
        inputs = handling.ActionInputs()
        handling.perform(session, appeal(session, other).id, admin, RULES, Action.CLOSE_WITH_MAIN, inputs)
    with transaction(db.factory) as session:
        inputs = handling.ActionInputs(main=main, reason="同一事项")
        merged = handling.perform(session, appeal(session, other).id, admin, RULES, Action.MERGE, inputs)
        assert merged.status == Status.MERGED.value
