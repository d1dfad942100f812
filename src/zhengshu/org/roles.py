"""Roles and the permissions each holds. The one place that says who may do what.

Who may take each workflow action is the action table, zhengshu.appeals.workflow.ACTION_ROLES,
which the services enforce; everything else (lists, queues, pages, imports) is a permission here."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    HOTLINE_OPERATOR = "hotline_operator"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    LEADER = "leader"
    # 政策专员: keeps the policy library (imports, metadata, status) and checks the Q&A's hits.
    POLICY_OFFICER = "policy_officer"
    # 政务服务专员: keeps the service items (办事指南) and their FAQs, and helps applicants (帮办).
    GUIDE_OFFICER = "guide_officer"
    # 办事人: a citizen or an enterprise with an account, applying for service items.
    APPLICANT = "applicant"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.HOTLINE_OPERATOR: "话务员",
    Role.DISPATCHER: "分拨员",
    Role.HANDLER: "承办人",
    Role.REVIEWER: "审核员",
    Role.SUPERVISOR: "督办员",
    Role.LEADER: "领导",
    Role.POLICY_OFFICER: "政策专员",
    Role.GUIDE_OFFICER: "政务服务专员",
    Role.APPLICANT: "办事人",
    Role.ADMIN: "系统管理员",
}


class Permission(StrEnum):
    APPEAL_CREATE = "appeal.create"
    # Read every appeal; without it a handler reads only appeals of the own department.
    APPEAL_READ_ALL = "appeal.read_all"
    APPEAL_DISPATCH = "appeal.dispatch"
    APPEAL_HANDLE = "appeal.handle"
    APPEAL_REVIEW = "appeal.review"
    APPEAL_SUPERVISE = "appeal.supervise"
    # The overdue and near-due lists (of the appeals the user may read).
    APPEAL_WATCH_DEADLINES = "appeal.watch_deadlines"
    # The list of supervision notices (of the appeals the user may read).
    SUPERVISION_LIST = "supervision.list"
    APPEAL_FOLLOW_UP = "appeal.follow_up"
    APPEAL_IMPORT = "appeal.import"
    PII_VIEW = "pii.view"
    USER_MANAGE = "user.manage"
    # Class cases, hotspots, weak signals and the daily briefs (of every appeal).
    ANALYTICS_VIEW = "analytics.view"
    # The closed-on-paper audit queue; sending an appeal back for redo is APPEAL_REVIEW's.
    CLOSURE_AUDIT = "appeal.closure_audit"
    # Reply templates and exemplary cases: writing them (reading them comes with handling).
    TEMPLATE_MANAGE = "template.manage"
    CASE_CURATE = "case.curate"
    # Training and activating classification models.
    MODEL_MANAGE = "model.manage"
    # The policy library: importing documents, editing their metadata and status, the Q&A hit test.
    POLICY_MANAGE = "policy.manage"
    # The service items: importing and editing them and their FAQs, the assistant's hit test.
    GUIDE_MANAGE = "guide.manage"
    # Applying for service items in one's own name: one's profile, pre-fill and pre-review.
    APPLY = "application.apply"
    # Helping any applicant with pre-fill and pre-review (帮办), and reading their applications.
    APPLICATION_ASSIST = "application.assist"


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.HOTLINE_OPERATOR: frozenset(
        {
            Permission.APPEAL_CREATE,
            Permission.APPEAL_READ_ALL,
            Permission.APPEAL_FOLLOW_UP,
            Permission.APPEAL_WATCH_DEADLINES,
            Permission.PII_VIEW,
        }
    ),
    # Dispatchers decide extensions (workflow.ACTION_ROLES), from the supervision list.
    Role.DISPATCHER: frozenset(
        {
            Permission.APPEAL_CREATE,
            Permission.APPEAL_READ_ALL,
            Permission.APPEAL_DISPATCH,
            Permission.APPEAL_IMPORT,
            Permission.APPEAL_WATCH_DEADLINES,
            Permission.SUPERVISION_LIST,
            Permission.PII_VIEW,
            Permission.ANALYTICS_VIEW,
            Permission.MODEL_MANAGE,
        }
    ),
    # Handlers contact appellants, so they see the phone of appeals of their own department; they
    # watch the deadlines and supervision notices of their own department.
    Role.HANDLER: frozenset(
        {
            Permission.APPEAL_HANDLE,
            Permission.APPEAL_WATCH_DEADLINES,
            Permission.SUPERVISION_LIST,
            Permission.PII_VIEW,
        }
    ),
    Role.REVIEWER: frozenset(
        {
            Permission.APPEAL_READ_ALL,
            Permission.APPEAL_REVIEW,
            Permission.APPEAL_FOLLOW_UP,
            Permission.APPEAL_WATCH_DEADLINES,
            Permission.SUPERVISION_LIST,
            Permission.PII_VIEW,
            Permission.CLOSURE_AUDIT,
            Permission.TEMPLATE_MANAGE,
            Permission.CASE_CURATE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.APPEAL_READ_ALL,
            Permission.APPEAL_SUPERVISE,
            Permission.APPEAL_WATCH_DEADLINES,
            Permission.SUPERVISION_LIST,
            Permission.ANALYTICS_VIEW,
            Permission.CLOSURE_AUDIT,
            Permission.CASE_CURATE,
        }
    ),
    Role.LEADER: frozenset(
        {
            Permission.APPEAL_READ_ALL,
            Permission.APPEAL_WATCH_DEADLINES,
            Permission.SUPERVISION_LIST,
            Permission.ANALYTICS_VIEW,
        }
    ),
    Role.POLICY_OFFICER: frozenset({Permission.POLICY_MANAGE}),
    Role.GUIDE_OFFICER: frozenset(
        {Permission.GUIDE_MANAGE, Permission.APPLICATION_ASSIST, Permission.PII_VIEW}
    ),
    Role.APPLICANT: frozenset({Permission.APPLY}),
    # Everything but applying in one's own name: an admin helps applicants (帮办) like an officer.
    Role.ADMIN: _ALL - {Permission.APPLY},
}


def has_permission(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())
