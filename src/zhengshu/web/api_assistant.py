"""JSON API of the service assistant (智能客服): ask, and pass an unanswered question to a person.
Open to anyone, also without logging in; both count against the client's address."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from zhengshu.db import transaction
from zhengshu.guide.assistant import MAX_EARLIER, answer
from zhengshu.guide.assistant_index import assistant_index
from zhengshu.guide.handoff import hand_off
from zhengshu.guide.presenters import reply_json
from zhengshu.search.questions import MAX_QUESTION
from zhengshu.web.deps import Factory, OptionalUser
from zhengshu.web.ratelimit import limit_questions, limit_submissions

router = APIRouter(prefix="/api/v1/guide", tags=["guide"])


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Checked by the service (empty and too long get their own Chinese messages).
    question: str = Field(max_length=50_000)
    earlier: list[str] = Field(
        default_factory=list, max_length=20, description="本次对话此前的问题，最早的在前"
    )
    item: str | None = Field(default=None, max_length=64, description="上一次回答的事项编码（追问沿用）")
    choice: str | None = Field(default=None, max_length=64, description="从澄清问题的选项中选定的事项编码")


@router.post(
    "/ask",
    summary="智能客服：按群众的说法找到事项，回答并注明出处（事项、章节）；不确定时反问；答不了时说明并可转人工",
)
@limit_questions
def ask(body: AskBody, request: Request, factory: Factory, user: OptionalUser) -> dict[str, Any]:
    reply = answer(
        assistant_index(factory),
        body.question,
        earlier=body.earlier[-MAX_EARLIER:],
        item_code=body.item,
        choice=body.choice,
    )
    return reply_json(reply) | {"limits": {"question_chars": MAX_QUESTION}}


class HandoffBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    earlier: list[str] = Field(default_factory=list, max_length=20)
    name: str = Field(max_length=64)
    phone: str = Field(max_length=32)


@router.post("/handoff", status_code=201, summary="转人工：把问题作为咨询类诉求交给工作人员，返回诉求编号")
@limit_submissions
def handoff(body: HandoffBody, request: Request, factory: Factory, user: OptionalUser) -> dict[str, Any]:
    index = assistant_index(factory)
    with transaction(factory) as session:
        filed = hand_off(
            session, index, body.question, name=body.name, phone=body.phone, earlier=body.earlier, actor=user
        )
    return {"number": filed.number, "track": f"/public/track?number={filed.number}"}
