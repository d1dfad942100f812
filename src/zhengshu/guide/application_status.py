"""The statuses of an application and the one table of their transitions: 草稿 → 已预审 → 已提交.
Editing a reviewed application makes it a draft again (its findings no longer describe it); only
a reviewed application may be submitted, and a submitted one no longer changes."""

from __future__ import annotations

from enum import StrEnum

from zhengshu.errors import IllegalTransition

__all__ = ["STATUS_LABELS", "TRANSITIONS", "ApplicationAction", "ApplicationStatus", "next_status"]


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ApplicationStatus.DRAFT: "草稿",
    ApplicationStatus.REVIEWED: "已预审",
    ApplicationStatus.SUBMITTED: "已提交",
}


class ApplicationAction(StrEnum):
    SAVE = "save"
    REVIEW = "review"
    SUBMIT = "submit"

    @property
    def label(self) -> str:
        return {"save": "保存", "review": "智能预审", "submit": "提交"}[self.value]


TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    (ApplicationStatus.DRAFT, ApplicationAction.SAVE): ApplicationStatus.DRAFT,
    (ApplicationStatus.REVIEWED, ApplicationAction.SAVE): ApplicationStatus.DRAFT,
    (ApplicationStatus.DRAFT, ApplicationAction.REVIEW): ApplicationStatus.REVIEWED,
    (ApplicationStatus.REVIEWED, ApplicationAction.REVIEW): ApplicationStatus.REVIEWED,
    (ApplicationStatus.REVIEWED, ApplicationAction.SUBMIT): ApplicationStatus.SUBMITTED,
}


def next_status(current: ApplicationStatus, action: ApplicationAction) -> ApplicationStatus:
    target = TRANSITIONS.get((current, action))
    if target is None:
        if current is ApplicationStatus.SUBMITTED:
            raise IllegalTransition("申请已提交，不能再修改或预审")
        if action is ApplicationAction.SUBMIT:
            raise IllegalTransition("请先进行智能预审，再提交申请")
        raise IllegalTransition(f"{current.label}状态的申请不能{action.label}")
    return target
