"""转人工: a question the assistant could not answer becomes a consultation appeal (咨询) in the
appeals back office, through the same intake as every other channel, with the conversation and the
items the assistant considered, so the person who answers starts where the assistant stopped."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.orm import Session

from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.intake import Filed, file_appeals
from zhengshu.appeals.vocabulary import AppealType, Channel
from zhengshu.org.models import User
from zhengshu.validation import invalid_input

TITLE_PREFIX = "智能客服转人工："
TITLE_QUESTION = 60


def hand_off(
    session: Session,
    question: str,
    *,
    name: str,
    phone: str,
    earlier: Sequence[str] = (),
    considered: Sequence[str] = (),
    actor: User | None = None,
) -> Filed:
    """File the question as a consultation appeal; returns its id and number. Bad contact details
    raise InvalidInput with a message per field, and nothing is written."""
    asked = question.strip()
    lines = [f"群众在智能客服提问：{asked}"]
    if earlier:
        lines.append("此前的问题：" + "；".join(q.strip() for q in earlier if q.strip()))
    if considered:
        lines.append("智能客服检索到但未能确认的事项：" + "；".join(considered))
    lines.append("智能客服未能答复，群众申请转人工。")
    try:
        draft = AppealDraft(
            type=AppealType.CONSULTATION,
            channel=Channel.ASSISTANT,
            title=(TITLE_PREFIX + asked)[: len(TITLE_PREFIX) + TITLE_QUESTION],
            content="\n".join(lines),
            appellant_name=name,
            appellant_phone=phone,
        )
    except ValidationError as error:
        raise invalid_input(error) from None
    return file_appeals(session, [draft], actor=actor)[0]
