"""转人工: a question the assistant could not answer becomes a consultation appeal (咨询) in the
appeals back office, through the same intake as every other channel, with the conversation and the
items the assistant considered, so the person who answers starts where the assistant stopped."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.orm import Session

from zhengshu.appeals.drafts import MAX_CONTENT, AppealDraft
from zhengshu.appeals.intake import Filed, file_appeals
from zhengshu.appeals.vocabulary import AppealType, Channel
from zhengshu.guide.assistant import MAX_EARLIER, answer
from zhengshu.guide.retrieval import ItemIndex
from zhengshu.org.models import User
from zhengshu.search.questions import MAX_QUESTION, checked_question
from zhengshu.validation import invalid_input

TITLE_PREFIX = "智能客服转人工："
TITLE_QUESTION = 60


def hand_off(
    session: Session,
    index: ItemIndex,
    question: str,
    *,
    name: str,
    phone: str,
    earlier: Sequence[str] = (),
    actor: User | None = None,
) -> Filed:
    """File the question as a consultation appeal with the items the assistant considers for it;
    returns its id and number. A bad question or contact raises InvalidInput (a message per field),
    and nothing is written."""
    asked = checked_question(question)
    before = [q.strip()[:MAX_QUESTION] for q in earlier[-MAX_EARLIER:] if isinstance(q, str) and q.strip()]
    reply = answer(index, asked, earlier=before)
    codes = [o.code for o in reply.options] + [c.code for c in reply.citations[:1]]
    considered = [f"{index.items[code].name}（{index.items[code].department}）" for code in codes]
    try:
        draft = AppealDraft(
            type=AppealType.CONSULTATION,
            channel=Channel.ASSISTANT,
            title=(TITLE_PREFIX + asked)[: len(TITLE_PREFIX) + TITLE_QUESTION],
            content=_content(asked, before, considered),
            appellant_name=name,
            appellant_phone=phone,
        )
    except ValidationError as error:
        raise invalid_input(error) from None
    return file_appeals(session, [draft], actor=actor)[0]


def _content(asked: str, earlier: list[str], considered: list[str]) -> str:
    """The appeal's text; the oldest earlier questions give way when it would be too long."""
    while True:
        lines = [f"群众在智能客服提问：{asked}"]
        if earlier:
            lines.append("此前的问题：" + "；".join(earlier))
        if considered:
            lines.append("智能客服检索到但未能确认的事项：" + "；".join(considered))
        lines.append("智能客服未能答复，群众申请转人工。")
        text = "\n".join(lines)
        if len(text) <= MAX_CONTENT or not earlier:
            return text[:MAX_CONTENT]
        earlier = earlier[1:]
