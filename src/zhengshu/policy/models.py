"""Tables of the policy library: a normative document (规范性文件) across its versions, each version
with its metadata and full text, and the articles (条) and attachments parsed out of it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengshu.db import Base, Moment
from zhengshu.errors import IllegalTransition


class PolicyStatus(StrEnum):
    IN_FORCE = "in_force"
    AMENDED = "amended"
    REPEALED = "repealed"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> PolicyStatus:
        """The status named by its code or by its Chinese label (现行有效, 已废止, …)."""
        for status, text in STATUS_LABELS.items():
            if label in (status.value, text):
                return status
        raise ValueError(label)


STATUS_LABELS = {
    PolicyStatus.IN_FORCE: "现行有效",
    PolicyStatus.AMENDED: "已修改",
    PolicyStatus.REPEALED: "已废止",
    PolicyStatus.EXPIRED: "已失效",
}

# The one table of status changes. A superseded version becomes 已修改; a later document repeals
# (已废止); a validity period runs out (已失效). Officers may correct a wrong mark back to 现行有效.
STATUS_TRANSITIONS: dict[PolicyStatus, frozenset[PolicyStatus]] = {
    PolicyStatus.IN_FORCE: frozenset({PolicyStatus.AMENDED, PolicyStatus.REPEALED, PolicyStatus.EXPIRED}),
    PolicyStatus.AMENDED: frozenset({PolicyStatus.IN_FORCE, PolicyStatus.REPEALED, PolicyStatus.EXPIRED}),
    PolicyStatus.REPEALED: frozenset({PolicyStatus.IN_FORCE}),
    PolicyStatus.EXPIRED: frozenset({PolicyStatus.IN_FORCE, PolicyStatus.REPEALED}),
}


def check_transition(current: PolicyStatus, target: PolicyStatus) -> None:
    if target != current and target not in STATUS_TRANSITIONS[current]:
        raise IllegalTransition(f"文件状态不能从“{current.label}”改为“{target.label}”")


def standing_of(
    status: PolicyStatus, is_current: bool, valid_until: date | None, today: date
) -> PolicyStatus:
    """The status a reader is shown today: a version superseded by a newer one is 已修改 whatever its
    mark says, and one past its 有效期至 is 已失效 from that day on."""
    if status is PolicyStatus.IN_FORCE and not is_current:
        return PolicyStatus.AMENDED
    if status is PolicyStatus.IN_FORCE and valid_until is not None and valid_until < today:
        return PolicyStatus.EXPIRED
    return status


# The metadata of a version an officer may edit (and a JSONL line may carry).
EDITABLE_FIELDS = (
    "title",
    "document_number",
    "issuing_body",
    "written_on",
    "published_on",
    "effective_on",
    "valid_until",
    "status",
    "topics",
)


class PolicyDocument(Base):
    """One normative document; its versions hold the text and metadata."""

    __tablename__ = "policy_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # How the document was first recognised: "文号:深龙府办规〔2024〕3号", "标题:机关|标题" or
    # "docid:…" for JSONL lines, whose id is the identity the source gives.
    doc_key: Mapped[str] = mapped_column(String(400), unique=True)
    created_at: Mapped[datetime] = mapped_column(Moment)
    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="document", order_by="PolicyVersion.version_no", viewonly=True
    )


class PolicyVersion(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "version_no", name="uq_policy_versions_document_version"),
        # The library's filters read current versions only.
        Index("ix_policy_versions_current_body", "is_current", "issuing_body"),
        Index("ix_policy_versions_current_status", "is_current", "status"),
        Index("ix_policy_versions_current_year", "is_current", "year"),
        Index("ix_policy_versions_document_number", "document_number"),
        Index("ix_policy_versions_title", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("policy_documents.id", ondelete="CASCADE"))
    version_no: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    document_number: Mapped[str | None] = mapped_column(String(64))  # 文号
    issuing_body: Mapped[str | None] = mapped_column(String(100))  # 发文机关
    written_on: Mapped[date | None] = mapped_column(Date)  # 成文日期
    published_on: Mapped[date | None] = mapped_column(Date)  # 发布日期
    effective_on: Mapped[date | None] = mapped_column(Date)  # 施行日期
    valid_until: Mapped[date | None] = mapped_column(Date)  # 有效期至
    # The year the library files it under: of 成文, else 发布, else 施行, else the 文号's year
    # (zhengshu.policy.metadata.filing_year).
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # PolicyStatus
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # 文号 and titles this version says it repeals, as found in its text.
    repeals: Mapped[list[str]] = mapped_column(JSON, default=list)
    # field → how its value was found ("落款日期", "文号前缀", "人工修改"), for the officer to check.
    metadata_sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metadata_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(8))  # txt, html, docx, pdf, jsonl
    text: Mapped[str] = mapped_column(Text, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(Moment)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))

    document: Mapped[PolicyDocument] = relationship(back_populates="versions")

    @property
    def status_value(self) -> PolicyStatus:
        return PolicyStatus(self.status)

    def standing(self, today: date) -> PolicyStatus:
        return standing_of(self.status_value, self.is_current, self.valid_until, today)


class PolicyArticle(Base):
    """A citable unit of a version: an article (第十二条), a numbered section (一、), an attachment
    (附件1) or the preamble, with its place in the text so a citation can highlight it."""

    __tablename__ = "policy_articles"
    __table_args__ = (
        UniqueConstraint("version_id", "ordinal", name="uq_policy_articles_version_ordinal"),
        Index("ix_policy_articles_version_anchor", "version_id", "anchor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # preamble, article, section, attachment, paragraph
    anchor: Mapped[str] = mapped_column(String(64))  # 第十二条, 附件1, 三、, 序言
    path: Mapped[str] = mapped_column(String(300))  # 第二章 第一节 第十二条
    heading: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    # 款 and 项 inside the unit: [{"anchor": "第二款", "start": …, "end": …}, …], offsets into the
    # version's text.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
