"""The appeal state machine: statuses, actions, and the one transition table that governs them."""

from __future__ import annotations

from enum import StrEnum

from zhengshu.errors import IllegalTransition
from zhengshu.org.roles import Role


class Status(StrEnum):
    SUBMITTED = "submitted"
    DISPATCHED = "dispatched"
    RETURNED = "returned"
    HANDLING = "handling"
    REPLIED = "replied"
    CLOSED = "closed"
    # 已并案: merged into a main appeal (Appeal.merged_into_id); closed with it, reply copied.
    MERGED = "merged"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.SUBMITTED: "待分拨",
    Status.DISPATCHED: "待签收",
    Status.RETURNED: "已退回",
    Status.HANDLING: "办理中",
    Status.REPLIED: "待审核",
    Status.CLOSED: "已办结",
    Status.MERGED: "已并案",
}

OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.DISPATCHED, Status.RETURNED, Status.HANDLING, Status.REPLIED}
)


class Action(StrEnum):
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    CO_HANDLER_OPINION = "co_handler_opinion"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    SUPERVISE = "supervise"
    REPLY = "reply"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    FOLLOW_UP = "follow_up"
    REOPEN = "reopen"
    MERGE = "merge"
    CLOSE_WITH_MAIN = "close_with_main"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]

    @property
    def event(self) -> str:
        """The audit action code written for this transition."""
        return f"appeal.{ACTION_EVENTS[self]}"


ACTION_LABELS = {
    Action.DISPATCH: "分拨",
    Action.ACCEPT: "签收",
    Action.RETURN: "退回",
    Action.CO_HANDLER_OPINION: "协办意见",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.DECIDE_EXTENSION: "审批延期",
    Action.SUPERVISE: "督办",
    Action.REPLY: "提交答复",
    Action.APPROVE: "审核通过并办结",
    Action.SEND_BACK: "审核退回",
    Action.FOLLOW_UP: "回访",
    Action.REOPEN: "重办",
    Action.MERGE: "并案",
    Action.CLOSE_WITH_MAIN: "随主件办结",
}

ACTION_EVENTS = {
    Action.DISPATCH: "dispatched",
    Action.ACCEPT: "accepted",
    Action.RETURN: "returned",
    Action.CO_HANDLER_OPINION: "co_handler_replied",
    Action.REQUEST_EXTENSION: "extension_requested",
    Action.DECIDE_EXTENSION: "extension_decided",
    Action.SUPERVISE: "supervised",
    Action.REPLY: "replied",
    Action.APPROVE: "closed",
    Action.SEND_BACK: "sent_back",
    Action.FOLLOW_UP: "followed_up",
    Action.REOPEN: "reopened",
    Action.MERGE: "merged",
    Action.CLOSE_WITH_MAIN: "closed_with_main",
}

S, A = Status, Action

# (status, action) → next status. A pair that is absent is an illegal transition.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.SUBMITTED, A.DISPATCH): S.DISPATCHED,
    (S.RETURNED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.ACCEPT): S.HANDLING,
    (S.DISPATCHED, A.RETURN): S.RETURNED,
    (S.DISPATCHED, A.SUPERVISE): S.DISPATCHED,
    (S.HANDLING, A.CO_HANDLER_OPINION): S.HANDLING,
    (S.HANDLING, A.REQUEST_EXTENSION): S.HANDLING,
    (S.HANDLING, A.DECIDE_EXTENSION): S.HANDLING,
    (S.HANDLING, A.SUPERVISE): S.HANDLING,
    (S.HANDLING, A.REPLY): S.REPLIED,
    (S.REPLIED, A.APPROVE): S.CLOSED,
    (S.REPLIED, A.SEND_BACK): S.HANDLING,
    (S.CLOSED, A.FOLLOW_UP): S.CLOSED,
    (S.CLOSED, A.REOPEN): S.HANDLING,
    # 并案 before a reply is under review: the main appeal's handling then answers for both.
    (S.SUBMITTED, A.MERGE): S.MERGED,
    (S.RETURNED, A.MERGE): S.MERGED,
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.HANDLING, A.MERGE): S.MERGED,
    (S.MERGED, A.CLOSE_WITH_MAIN): S.CLOSED,
}

# Who may take each action. Handlers are further limited to their own department's appeals,
# which the services check against the appeal.
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    A.DISPATCH: frozenset({Role.DISPATCHER, Role.ADMIN}),
    A.ACCEPT: frozenset({Role.HANDLER, Role.ADMIN}),
    A.RETURN: frozenset({Role.HANDLER, Role.ADMIN}),
    A.CO_HANDLER_OPINION: frozenset({Role.HANDLER, Role.ADMIN}),
    A.REQUEST_EXTENSION: frozenset({Role.HANDLER, Role.ADMIN}),
    A.DECIDE_EXTENSION: frozenset({Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN}),
    A.SUPERVISE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    A.REPLY: frozenset({Role.HANDLER, Role.ADMIN}),
    A.APPROVE: frozenset({Role.REVIEWER, Role.ADMIN}),
    A.SEND_BACK: frozenset({Role.REVIEWER, Role.ADMIN}),
    A.FOLLOW_UP: frozenset({Role.HOTLINE_OPERATOR, Role.REVIEWER, Role.ADMIN}),
    A.REOPEN: frozenset({Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN}),
    A.MERGE: frozenset({Role.DISPATCHER, Role.ADMIN}),
    # Taken by whoever approves the main appeal, as part of that approval.
    A.CLOSE_WITH_MAIN: frozenset({Role.REVIEWER, Role.ADMIN}),
}

# Actions that follow from another one and that nobody chooses by hand: never offered.
AUTOMATIC_ACTIONS = frozenset({A.CLOSE_WITH_MAIN})

# Actions that only the lead department may take; co-handler opinions come from co-handlers.
LEAD_DEPARTMENT_ACTIONS = frozenset({A.ACCEPT, A.RETURN, A.REQUEST_EXTENSION, A.REPLY})


def next_status(current: Status, action: Action) -> Status:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(
            f"诉求当前状态为“{current.label}”，不能执行“{action.label}”",
            errors={"status": current.value, "action": action.value},
        ) from None


def allowed_actions(current: Status, role: Role) -> list[Action]:
    """The actions a person in the role may choose in this status (automatic ones are not chosen)."""
    return [
        a
        for (s, a) in TRANSITIONS
        if s is current and role in ACTION_ROLES[a] and a not in AUTOMATIC_ACTIONS
    ]
