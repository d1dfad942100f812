"""The fixed vocabularies of an appeal: channels, types, urgencies, categories, satisfaction."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    HOTLINE = "hotline"
    WEBSITE = "website"
    WECHAT = "wechat"
    LETTER = "letter"
    VISIT = "visit"
    EMAIL = "email"
    APP = "app"
    OPEN311 = "open311"
    IMPORT = "import"
    # 智能客服: a question the assistant could not answer, passed to a person at the asker's request.
    ASSISTANT = "assistant"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.HOTLINE: "热线",
    Channel.WEBSITE: "网站",
    Channel.WECHAT: "微信",
    Channel.LETTER: "信件",
    Channel.VISIT: "来访",
    Channel.EMAIL: "邮件",
    Channel.APP: "移动应用",
    Channel.OPEN311: "Open311",
    Channel.IMPORT: "批量导入",
    Channel.ASSISTANT: "智能客服",
}


class AppealType(StrEnum):
    COMPLAINT = "complaint"
    HELP = "help"
    CONSULTATION = "consultation"
    SUGGESTION = "suggestion"
    REPORT = "report"
    PRAISE = "praise"

    @property
    def label(self) -> str:
        return TYPE_LABELS[self]


TYPE_LABELS = {
    AppealType.COMPLAINT: "投诉",
    AppealType.HELP: "求助",
    AppealType.CONSULTATION: "咨询",
    AppealType.SUGGESTION: "建议",
    AppealType.REPORT: "举报",
    AppealType.PRAISE: "表扬",
}


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return URGENCY_LABELS[self]


URGENCY_LABELS = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急", Urgency.CRITICAL: "特急"}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return SATISFACTION_LABELS[self]


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
    Satisfaction.UNREACHABLE: "联系不上",
}


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # The handler replied before anyone decided: the request lost its point.
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return EXTENSION_STATUS_LABELS[self]


EXTENSION_STATUS_LABELS = {
    ExtensionStatus.PENDING: "待审批",
    ExtensionStatus.APPROVED: "已批准",
    ExtensionStatus.REJECTED: "已驳回",
    ExtensionStatus.WITHDRAWN: "已撤回（已答复）",
}


class NoticeKind(StrEnum):
    MANUAL = "manual"
    OVERDUE_ACCEPT = "overdue_accept"
    OVERDUE_HANDLE = "overdue_handle"

    @property
    def label(self) -> str:
        return NOTICE_KIND_LABELS[self]


NOTICE_KIND_LABELS = {
    NoticeKind.MANUAL: "人工督办",
    NoticeKind.OVERDUE_ACCEPT: "超期未签收",
    NoticeKind.OVERDUE_HANDLE: "超期未办结",
}

# First-level categories with the department that usually handles each. Street-level matters
# (the "街道事务" category) go to the office of the appeal's street. Issue 3's classifier predicts
# these; dispatchers may always choose otherwise.
CATEGORY_DEPARTMENTS: dict[str, str] = {
    "城乡建设": "zjj",
    "市容环卫": "cgj",
    "环境保护": "hbj",
    "交通运输": "jtj",
    "劳动和社会保障": "rlj",
    "教育文体": "jyj",
    "卫生健康": "wjj",
    "市场监管": "scj",
    "公共安全": "gaj",
    "民政": "mzj",
    "水务": "swj",
    "规划国土": "ghj",
    "政务服务": "zfzj",
    "街道事务": "",
    "其他": "",
}
CATEGORIES = tuple(CATEGORY_DEPARTMENTS)
