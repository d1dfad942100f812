"""JSON API for appeals: intake, lists, detail and the workflow actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from zhengshu.appeals import handling, queries, similar
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import appeal_detail, appeal_summary, timeline
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import Action, Status
from zhengshu.audit import events_for
from zhengshu.db import reading, transaction
from zhengshu.errors import NotFound
from zhengshu.org.models import User
from zhengshu.org.roles import Permission
from zhengshu.web.deps import CurrentUser, Factory, Rules, require

router = APIRouter(prefix="/api/v1", tags=["appeals"])
MAX_ID = 2**31 - 1


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The version the client last saw; a stale one is refused with 409.
    version: int | None = None


class DispatchBody(Body):
    department: str = Field(min_length=1, max_length=32)
    co_departments: list[str] = Field(default_factory=list, max_length=10)
    category: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)


class ReasonBody(Body):
    reason: str = Field(min_length=1, max_length=2000)


class NoteBody(Body):
    note: str | None = Field(default=None, max_length=2000)


class OpinionBody(Body):
    opinion: str = Field(min_length=1, max_length=5000)


class ReplyBody(Body):
    text: str = Field(min_length=1, max_length=5000)


class ExtensionBody(Body):
    days: int = Field(ge=1, le=30)
    reason: str = Field(min_length=1, max_length=2000)


class DecisionBody(Body):
    approve: bool
    note: str | None = Field(default=None, max_length=2000)


class SuperviseBody(Body):
    message: str = Field(min_length=1, max_length=2000)


class FollowUpBody(Body):
    satisfaction: Satisfaction
    note: str | None = Field(default=None, max_length=2000)


def _appeal_id(session: Session, number: str, user: User) -> int:
    appeal = queries.by_number(session, number)
    if appeal is None:
        raise NotFound("诉求不存在或无权查看")
    return get_readable(appeal, user).id


def _detail(session: Session, appeal: Appeal, user: User) -> dict[str, Any]:
    body = appeal_detail(appeal, user)
    body["timeline"] = timeline(events_for(session, "appeal", appeal.id), appeal, user)
    body["actions"] = [a.value for a in queries.available_actions(session, appeal, user)]
    return body


def _page(page: queries.Page, user: User) -> dict[str, Any]:
    return {
        "items": [appeal_summary(a, user) for a in page.items],
        "total": page.total,
        "page": page.page,
        "size": page.size,
    }


@router.post("/appeals", status_code=201, summary="登记诉求（话务员、分拨员）")
def create_appeal(draft: AppealDraft, user: CurrentUser, factory: Factory) -> dict[str, Any]:
    require(user, Permission.APPEAL_CREATE)
    with transaction(factory) as session:
        appeal, created = submit_appeal(session, draft, actor=user)
        body = appeal_detail(appeal, user)
    body["created"] = created
    return body


@router.get("/appeals", summary="诉求列表")
def list_appeals(
    user: CurrentUser,
    factory: Factory,
    status: Status | None = None,
    street_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    with reading(factory) as session:
        result = queries.search(
            session,
            user,
            status=status.value if status else None,
            street_id=street_id,
            department_id=department_id,
            keyword=q,
            page=page,
            size=size,
        )
        return _page(result, user)


@router.get("/appeals/{number}", summary="诉求详情与时间线")
def get_appeal(number: str, user: CurrentUser, factory: Factory) -> dict[str, Any]:
    with reading(factory) as session:
        appeal = session.get_one(Appeal, _appeal_id(session, number, user))
        return _detail(session, appeal, user)


def _act(
    factory: Any, number: str, user: User, rules: AppealRules, action: Action, body: Body
) -> dict[str, Any]:
    """Every action endpoint: the body's fields are the action's inputs."""
    with transaction(factory) as session:
        appeal_id = _appeal_id(session, number, user)
        handling.perform(session, appeal_id, user, rules, action, handling.ActionInputs(**body.model_dump()))
        appeal = session.get_one(Appeal, appeal_id)
        return _detail(session, appeal, user)


@router.post("/appeals/{number}/dispatch", summary="分拨")
def dispatch(
    number: str, body: DispatchBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.DISPATCH, body)


@router.post("/appeals/{number}/accept", summary="签收")
def accept(number: str, body: Body, user: CurrentUser, factory: Factory, rules: Rules) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.ACCEPT, body)


@router.post("/appeals/{number}/return", summary="退回")
def return_appeal(
    number: str, body: ReasonBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.RETURN, body)


@router.post("/appeals/{number}/co-opinion", summary="协办意见")
def co_opinion(
    number: str, body: OpinionBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.CO_HANDLER_OPINION, body)


@router.post("/appeals/{number}/extension", summary="申请延期")
def request_extension(
    number: str, body: ExtensionBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.REQUEST_EXTENSION, body)


@router.post("/appeals/{number}/extension/decision", summary="审批延期")
def decide_extension(
    number: str, body: DecisionBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.DECIDE_EXTENSION, body)


@router.post("/appeals/{number}/supervise", summary="督办")
def supervise(
    number: str, body: SuperviseBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.SUPERVISE, body)


@router.post("/appeals/{number}/reply", summary="提交答复")
def reply(number: str, body: ReplyBody, user: CurrentUser, factory: Factory, rules: Rules) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.REPLY, body)


@router.post("/appeals/{number}/approve", summary="审核通过并办结")
def approve(number: str, body: NoteBody, user: CurrentUser, factory: Factory, rules: Rules) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.APPROVE, body)


@router.post("/appeals/{number}/send-back", summary="审核退回")
def send_back(
    number: str, body: ReasonBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.SEND_BACK, body)


@router.post("/appeals/{number}/follow-up", summary="回访")
def follow_up(
    number: str, body: FollowUpBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.FOLLOW_UP, body)


@router.post("/appeals/{number}/reopen", summary="重办")
def reopen(
    number: str, body: ReasonBody, user: CurrentUser, factory: Factory, rules: Rules
) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.REOPEN, body)


@router.get(
    "/queues/{name}",
    summary=(
        "工作队列：dispatch 待分拨、inbox 本单位待办、review 待审核、follow-up 待回访、"
        "overdue 已超期、near-due 24小时内到期"
    ),
)
def queue(
    name: str, user: CurrentUser, factory: Factory, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> dict[str, Any]:
    with reading(factory) as session:
        return _page(queries.queue(session, user, name, page), user)


@router.get("/supervision", summary="督办单列表")
def supervision(user: CurrentUser, factory: Factory) -> list[dict[str, Any]]:
    with reading(factory) as session:
        return [
            {
                "appeal": n.appeal.number,
                "kind": n.kind,
                "message": n.message,
                "issued_at": n.issued_at.isoformat(),
                "due_at": n.due_at.isoformat() if n.due_at else None,
            }
            for n in queries.supervision_list(session, user)
        ]


# --- similar appeals and 并案 ---------------------------------------------------------------


class MergeBody(Body):
    main: str = Field(min_length=1, max_length=16, description="主件编号：本件并入哪一件诉求")
    reason: str = Field(default="", max_length=2000)


class SimilarQuery(BaseModel):
    """An appeal being registered: what has been typed so far."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(default="", max_length=200)
    content: str = Field(default="", max_length=5000)
    appellant_phone: str = Field(default="", max_length=32)
    street: str = Field(default="", max_length=32)
    community: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)


def _similar_body(matches: list[similar.Match], user: User) -> dict[str, Any]:
    return {"items": similar.present(matches, user), "explanation": similar.SCORE_EXPLANATION}


@router.get("/appeals/{number}/similar", summary="相似诉求：可能为同一事项的在办和近期诉求，附理由")
def similar_appeals(number: str, user: CurrentUser, factory: Factory) -> dict[str, Any]:
    with reading(factory) as session:
        appeal = session.get_one(Appeal, _appeal_id(session, number, user))
        return _similar_body(similar.find_similar(session, similar.probe_of(appeal), viewer=user), user)


@router.post("/similar-appeals", summary="登记前查重：按已填写的内容查找可能为同一事项的诉求")
def similar_to_draft(body: SimilarQuery, user: CurrentUser, factory: Factory) -> dict[str, Any]:
    require(user, Permission.APPEAL_CREATE)
    with reading(factory) as session:
        probe = similar.probe_of_fields(session, body.model_dump())
        return _similar_body(similar.find_similar(session, probe, viewer=user), user)


@router.post("/appeals/{number}/merge", summary="并案：本件并入主件，主件办结时本件随之办结")
def merge(number: str, body: MergeBody, user: CurrentUser, factory: Factory, rules: Rules) -> dict[str, Any]:
    return _act(factory, number, user, rules, Action.MERGE, body)
