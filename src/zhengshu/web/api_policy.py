"""JSON API of the policy library and its Q&A: ask (anyone, also without logging in), browse and
read documents (staff), hit test, import and metadata edits (政策专员)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.org.models import User
from zhengshu.org.roles import Permission
from zhengshu.policy import library
from zhengshu.policy.ingest import ingest_file
from zhengshu.policy.library_index import library_index
from zhengshu.policy.llm import configured_endpoint
from zhengshu.policy.presenters import answer_json, article_json, retrieval_json, version_json
from zhengshu.policy.qa import MAX_EARLIER, QaFilters
from zhengshu.policy.versions import update_metadata
from zhengshu.search.questions import MAX_QUESTION
from zhengshu.web.api_import import UploadForm, upload_body, uploaded_file
from zhengshu.web.deps import CurrentUser, Factory, OptionalUser, require, settings
from zhengshu.web.ratelimit import limit_questions

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])
MAX_ID = 2**31 - 1


class AskFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    issuing_body: str | None = Field(default=None, max_length=100)
    first_year: int | None = Field(default=None, ge=1949, le=2100)
    last_year: int | None = Field(default=None, ge=1949, le=2100)
    in_force_only: bool = False


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Checked by the service (empty and too long get their own Chinese messages); the bound here
    # only keeps absurd bodies out.
    question: str = Field(max_length=50_000)
    earlier: list[str] = Field(
        default_factory=list, max_length=20, description="本次对话此前的问题，最早的在前"
    )
    filters: AskFilters = Field(default_factory=AskFilters)


@router.post("/ask", summary="政策智能问答：回答并给出依据（文件、文号、条款），或说明未找到依据")
@limit_questions
def ask(body: AskBody, request: Request, factory: Factory, user: OptionalUser) -> dict[str, Any]:
    index = library_index(factory)
    qa = index.qa(configured_endpoint(settings(request)))
    filters = QaFilters(**body.filters.model_dump())
    answer = qa.ask(body.question, earlier=body.earlier[-MAX_EARLIER:], filters=filters, today=now().date())
    return answer_json(answer) | {"limits": {"question_chars": MAX_QUESTION}}


@router.get("/hit-test", summary="命中测试：一个问题检索到的条文及原因（政策专员）")
def hit_test(
    user: CurrentUser,
    factory: Factory,
    q: Annotated[str, Query(max_length=50_000)] = "",
) -> dict[str, Any]:
    require(user, Permission.POLICY_MANAGE)
    found = library_index(factory).qa(None).retrieve(q, today=now().date())
    return retrieval_json(found)


@router.get(
    "/documents", summary="政策文件库：按发文机关、年份、状态、主题筛选，全文检索（引号内为精确短语）"
)
def documents(
    user: CurrentUser,
    factory: Factory,
    issuing_body: Annotated[str | None, Query(max_length=100)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    topic: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=library.MAX_QUERY)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> dict[str, Any]:
    filters = library.parse_filters(issuing_body, year, status, topic, q)
    index = library_index(factory)
    today = now().date()
    with reading(factory) as session:
        found = library.listing(session, index, filters, today, page)
        return {
            "total": found.total,
            "page": found.page,
            "size": found.size,
            "items": [
                version_json(item.version, today) | {"matches": [m.__dict__ for m in item.matches]}
                for item in found.items
            ],
        }


@router.get("/documents/{document_id}", summary="一份文件：当前（或指定）版本的元数据、条文与历史版本")
def document(
    document_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    user: CurrentUser,
    factory: Factory,
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    today = now().date()
    with reading(factory) as session:
        view = library.document_view(session, document_id, version)
        return version_json(view.version, today) | {
            "articles": [article_json(a) for a in view.articles],
            "versions": [version_json(v, today) for v in view.versions],
        }


class MetadataBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=300)
    document_number: str | None = Field(default=None, max_length=64)
    issuing_body: str | None = Field(default=None, max_length=100)
    written_on: str | None = Field(default=None, max_length=10)
    published_on: str | None = Field(default=None, max_length=10)
    effective_on: str | None = Field(default=None, max_length=10)
    valid_until: str | None = Field(default=None, max_length=10)
    status: str | None = Field(default=None, max_length=16)
    topics: list[str] | None = Field(default=None, max_length=10)


@router.patch("/versions/{version_id}", summary="修改一个版本的元数据或状态（政策专员，留痕）")
def edit_version(
    version_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: MetadataBody, user: CurrentUser, factory: Factory
) -> dict[str, Any]:
    require(user, Permission.POLICY_MANAGE)
    with transaction(factory) as session:
        version = update_metadata(session, version_id, body.model_dump(exclude_unset=True), user)
        shown = version_json(version, now().date())
    library_index(factory)
    return shown


@router.post(
    "/documents",
    summary="导入一份文件（字段 file：.txt .html .docx .pdf），同一文号的新文件成为新版本（政策专员）",
    openapi_extra=upload_body("政策文件：.txt（UTF-8 或 GB18030）、.html、.docx 或有文字层的 .pdf"),
)
def import_document(user: CurrentUser, factory: Factory, form: UploadForm) -> dict[str, Any]:
    require(user, Permission.POLICY_MANAGE)
    data, name = uploaded_file(form)
    return ingest_one(factory, name, data, user)


def ingest_one(factory: sessionmaker[Session], name: str, data: bytes, user: User) -> dict[str, Any]:
    """Parse and store one file in one transaction, then bring the Q&A's index up to date."""
    with transaction(factory) as session:
        result = ingest_file(session, name, data, actor=user)
    library_index(factory)
    return {
        "outcome": result.outcome,
        "document_id": result.document_id,
        "version_id": result.version_id,
        "title": result.title,
        "superseded_version_id": result.superseded_version_id,
        "repealed_version_ids": list(result.repealed_version_ids),
    }
