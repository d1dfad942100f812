"""Shared builders for appeal tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.models import Appeal
from zhengshu.org.models import User


def draft(**overrides: Any) -> AppealDraft:
    fields: dict[str, Any] = {
        "channel": "hotline",
        "type": "complaint",
        "title": "小区门口夜间施工噪音扰民",
        "content": "龙岗大道旁工地每晚十一点后仍在施工，噪音很大，影响休息，请尽快处理。",
        "appellant_name": "张三",
        "appellant_phone": "13812345678",
        "street": "平湖街道",
        "community": "凤凰社区",
        "address": "平湖街道凤凰大道88号",
    }
    fields.update(overrides)
    return AppealDraft.model_validate(fields)


def submit(session: Session, actor: User | None = None, **overrides: Any) -> Appeal:
    appeal, _ = submit_appeal(session, draft(**overrides), actor=actor)
    return appeal
