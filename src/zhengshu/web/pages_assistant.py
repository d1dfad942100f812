"""智能客服 page: ask how to get something done, read the answer with the item and section cited,
pick among items when asked, and pass the question to a person. Open to everyone; the conversation
lives in the URL (each question carries the earlier ones and the items picked for them), so it can
be reloaded and read without JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from zhengshu.db import transaction
from zhengshu.errors import DomainError, InvalidInput
from zhengshu.guide.assistant import MAX_EARLIER, Reply, answer
from zhengshu.guide.assistant_index import assistant_index
from zhengshu.guide.handoff import hand_off
from zhengshu.guide.presenters import item_link
from zhengshu.org.models import User
from zhengshu.search.questions import MAX_QUESTION
from zhengshu.web import csrf
from zhengshu.web.deps import Factory, optional_user
from zhengshu.web.pages_base import PageRoute, PostedForm, render
from zhengshu.web.ratelimit import limit_questions, limit_submissions

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Texts = Annotated[list[str] | None, Query(max_length=20)]


def _turns(request: Request, questions: list[str], picked: list[str]) -> list[dict[str, Any]]:
    """Every question with its reply, each answered with the valid ones before it, the item picked
    for it (if any) and the item the conversation was about."""
    index = assistant_index(request.app.state.factory)
    turns: list[dict[str, Any]] = []
    asked: list[str] = []
    item: str | None = None
    for position, text in enumerate(questions):
        choice = picked[position] if position < len(picked) and picked[position] else None
        try:
            reply: Reply | None = answer(index, text, earlier=asked, item_code=item, choice=choice)
            error = None
        except DomainError as problem:
            reply, error = None, problem.message
        if reply is not None:
            asked.append(text)
            item = reply.item_code or item
        turns.append({"question": text, "reply": reply, "error": error, "choice": choice or ""})
    return turns


def _context(
    request: Request, user: User | None, q: str, earlier: list[str], picked: list[str], choice: str
) -> dict[str, Any]:
    earlier = earlier[-MAX_EARLIER:]
    picked = (picked + [""] * len(earlier))[: len(earlier)]
    questions = [*earlier, q] if q.strip() else earlier
    turns = _turns(request, questions, [*picked, choice])
    kept = [t for t in turns if t["error"] is None]
    return {
        "turns": turns,
        "earlier": [t["question"] for t in kept],
        "picked": [t["choice"] for t in kept],
        "max_question": MAX_QUESTION,
        "item_link": item_link,
        "public": user is None,
        "handoff_errors": {},
    }


@router.get("/guide/ask")
@limit_questions
def ask_page(
    request: Request,
    q: Annotated[str, Query(max_length=50_000)] = "",
    earlier: Texts = None,
    picked: Texts = None,
    choice: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    user = optional_user(request)
    context = _context(request, user, q, earlier or [], picked or [], choice)
    return render(request, "guide_ask.html", context, user=user)


@router.post("/guide/ask/handoff")
@limit_submissions
def handoff(request: Request, factory: Factory, posted: PostedForm) -> Response:
    question = str(posted.get("question") or "").strip()[:MAX_QUESTION]
    earlier = [str(e)[:MAX_QUESTION] for e in posted.getlist("earlier")][-MAX_EARLIER:]
    values = {"name": str(posted.get("name") or "")[:64], "phone": str(posted.get("phone") or "")[:32]}
    user = optional_user(request)
    try:
        csrf.check(request, posted)
        if not question:
            raise InvalidInput("没有要转给人工的问题，请先提问")
        index = assistant_index(factory)
        with transaction(factory) as session:
            filed = hand_off(session, index, question, earlier=earlier, actor=user, **values)
    except DomainError as error:
        context = _context(request, user, question, earlier, [], "")
        context.update(handoff_errors=error.errors, handoff_message=error.message, handoff_values=values)
        status = 403 if isinstance(error, csrf.CsrfRejected) else 422
        return render(request, "guide_ask.html", context, user=user, status_code=status)
    context = {"number": filed.number, "question": question, "public": user is None}
    return render(request, "guide_handoff_done.html", context, user=user)
