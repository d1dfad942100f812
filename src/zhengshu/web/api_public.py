"""The public's API: citizens and enterprises submit an appeal and track it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from zhengshu.appeals import queries
from zhengshu.appeals.drafts import AppealDraft, AppealFields
from zhengshu.appeals.intake import file_appeals
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import appeal_summary, free_text, timeline
from zhengshu.appeals.vocabulary import Channel
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import NotFound
from zhengshu.web.deps import Factory
from zhengshu.web.ratelimit import limit_failed_tracking, limit_submissions

router = APIRouter(prefix="/api/v1/public", tags=["public"])


class PublicAppeal(AppealFields):
    """What a citizen or enterprise fills in, with the draft's constraints; the channel and the
    bookkeeping fields are set here, never by the submitter."""

    def draft(self, channel: Channel = Channel.WEBSITE) -> AppealDraft:
        return AppealDraft.model_validate({**self.model_dump(), "channel": channel})


class TrackQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, Field(min_length=1, max_length=16)]
    phone_last4: Annotated[str, Field(min_length=4, max_length=4, pattern=r"^\d{4}$")]


def public_view(appeal: Appeal, events: list[Any]) -> dict[str, Any]:
    body = appeal_summary(appeal, None)
    body["reply"] = free_text(appeal.reply, appeal, None) if appeal.closed_at else None
    body["timeline"] = timeline(events, appeal, None, public=True)
    return body


@router.post("/appeals", status_code=201, summary="市民、企业提交诉求，返回诉求编号")
@limit_submissions
def submit(body: PublicAppeal, factory: Factory) -> dict[str, Any]:
    draft = body.draft()
    with transaction(factory) as session:
        number = file_appeals(session, [draft])[0].number
    return {
        "number": number,
        "status": "submitted",
        "message": f"诉求已受理，编号 {number}，请凭编号和手机号后四位查询进度",
    }


@router.post("/track", summary="凭诉求编号和手机号后四位查询进度")
@limit_failed_tracking
def track(body: TrackQuery, factory: Factory) -> dict[str, Any]:
    with transaction(factory) as session:
        appeal = queries.track(session, body.number, body.phone_last4)
        if appeal is None:
            raise NotFound("未找到该诉求，请核对编号和手机号后四位")
        return public_view(appeal, events_for(session, "appeal", appeal.id))
