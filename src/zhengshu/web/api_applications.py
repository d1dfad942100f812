"""JSON API of smart pre-fill and pre-review: the form of an item and a stateless pre-review (anyone,
also without logging in); the applicant's profile, pre-fill and applications (办事人 for their own,
政务服务专员 for any applicant with ``applicant``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import NotFound
from zhengshu.guide import application_prefill, application_presenters, application_profiles, applications
from zhengshu.guide.application_fields import form_fields
from zhengshu.guide.application_form import MAX_MATERIALS, parse_application, parse_kind
from zhengshu.guide.catalog import item_record
from zhengshu.guide.prereview import pre_review
from zhengshu.guide.records import ItemRecord, Material
from zhengshu.web.deps import CurrentUser, Factory
from zhengshu.web.ratelimit import limit_questions

router = APIRouter(prefix="/api/v1/guide", tags=["guide-applications"])
MAX_ID = 2**31 - 1
ItemCode = Annotated[str, Query(min_length=1, max_length=64, description="事项编码（实施编码）")]
ApplicantId = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="帮办时办事人的账号编号（政务服务专员）")
]


class MaterialBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200, description="材料名称")
    form: str = Field(default="", max_length=16, description="原件、复印件或原件和复印件")
    medium: str = Field(default="", max_length=16, description="纸质或电子")
    valid_until: str = Field(default="", max_length=20, description="有效期至，如 2030-05-01")
    issued_on: str = Field(default="", max_length=20, description="开具（拍摄）日期")


class FormBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(default="person", max_length=16, description="person（个人）或 enterprise（企业）")
    values: dict[str, str | None] = Field(
        default_factory=dict, max_length=100, description="字段名 → 填写内容，字段见 GET /api/v1/guide/form"
    )
    # The count is the service's to refuse, in its own words (pydantic's would be "materials：无效").
    materials: list[MaterialBody] = Field(
        default_factory=list, description=f"已备齐的材料，最多 {MAX_MATERIALS} 项"
    )

    def raw(self) -> dict[str, Any]:
        return self.model_dump(include={"kind", "values", "materials"})


class PrereviewBody(FormBody):
    item: str = Field(min_length=1, max_length=64, description="事项编码")


class NewApplicationBody(FormBody):
    item: str = Field(min_length=1, max_length=64, description="事项编码")
    applicant: int | None = Field(default=None, ge=1, le=MAX_ID, description="帮办时办事人的账号编号")


class ApplicationBody(FormBody):
    version: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="读取时的版本号，防止覆盖他人的修改"
    )


class VersionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class ProfileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(default="person", max_length=16)
    values: dict[str, str | None] = Field(default_factory=dict, max_length=100)
    applicant: int | None = Field(default=None, ge=1, le=MAX_ID)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


def _material_json(material: Material) -> dict[str, Any]:
    return {
        "name": material.name,
        "form": material.form,
        "copies": material.copies,
        "medium": material.medium,
        "optional": material.optional,
        "note": material.note,
    }


def _item_json(item: ItemRecord) -> dict[str, str]:
    return {"code": item.code, "name": item.name}


def _item(factory: Factory, code: str) -> ItemRecord:
    with reading(factory) as session:
        return item_record(session, code)


@router.get("/form", summary="事项申请表：申请人字段、受理条件问题（是/否）和申请材料清单")
def application_form(
    factory: Factory, item: ItemCode, kind: Annotated[str, Query(max_length=16)] = "person"
) -> dict[str, Any]:
    record = _item(factory, item)
    applicant_kind = parse_kind(kind)
    fields = form_fields(record, applicant_kind)
    return {
        "item": _item_json(record),
        "kind": applicant_kind.value,
        "fields": [f.as_json() for f in fields],
        "materials": [_material_json(m) for m in record.materials],
    }


@router.post("/prereview", summary="智能预审：按事项检查申请表和材料清单，不保存（无需登录）")
@limit_questions
def prereview(body: PrereviewBody, factory: Factory) -> dict[str, Any]:
    record = _item(factory, body.item)
    application = parse_application(record, body.raw())
    findings = pre_review(record, application, now().date())
    errors = sum(1 for f in findings if f.severity.value == "错误")
    return {
        "item": _item_json(record),
        "kind": application.kind.value,
        "passed": errors == 0,
        "counts": {"errors": errors, "notices": len(findings) - errors},
        "findings": [f.as_json() for f in findings],
    }


@router.get("/prefill", summary="智能预填：用个人（单位）资料和以往申请填好新申请表，注明每项来源")
def prefill(
    user: CurrentUser,
    factory: Factory,
    item: ItemCode,
    applicant: ApplicantId = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    with reading(factory) as session:
        found = application_prefill.prefill(session, user, item, applicant_id=applicant, kind=kind)
        return application_presenters.prefill_json(found)


@router.get("/profile", summary="个人（单位）资料")
def profile(user: CurrentUser, factory: Factory, applicant: ApplicantId = None) -> dict[str, Any]:
    with reading(factory) as session:
        found = application_profiles.get_profile(session, user, applicant_id=applicant)
        if found is None:
            raise NotFound("尚未填写个人（单位）资料")
        return application_presenters.profile_json(found, user)


@router.put("/profile", summary="保存个人（单位）资料")
def save_profile(body: ProfileBody, user: CurrentUser, factory: Factory) -> dict[str, Any]:
    with transaction(factory) as session:
        saved = application_profiles.save_profile(
            session, user, body.kind, body.values, applicant_id=body.applicant, expected_version=body.version
        )
        return application_presenters.profile_json(saved, user)


@router.get("/applications", summary="申请列表：本人的（政务服务专员：某办事人的或全部）")
def list_applications(
    user: CurrentUser,
    factory: Factory,
    applicant: ApplicantId = None,
    status: Annotated[str | None, Query(max_length=16, description="draft、reviewed 或 submitted")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> dict[str, Any]:
    with reading(factory) as session:
        found = applications.list_applications(
            session, user, applicant_id=applicant, status=status, page=page
        )
        return {
            "total": found.total,
            "page": found.page,
            "size": found.size,
            "items": [
                application_presenters.application_json(a, user, with_details=False) for a in found.items
            ],
        }


@router.post("/applications", status_code=201, summary="新建申请（草稿）")
def create_application(body: NewApplicationBody, user: CurrentUser, factory: Factory) -> JSONResponse:
    with transaction(factory) as session:
        created = applications.save_draft(
            session, user, body.raw(), item_code=body.item, applicant_id=body.applicant
        )
        shown = application_presenters.application_json(created, user)
    return JSONResponse(
        shown, status_code=201, headers={"Location": f"/api/v1/guide/applications/{shown['id']}"}
    )


ApplicationId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/applications/{application_id}", summary="一份申请：填写内容、材料、状态和上次预审结果")
def get_application(application_id: ApplicationId, user: CurrentUser, factory: Factory) -> dict[str, Any]:
    with reading(factory) as session:
        return application_presenters.application_json(
            applications.get_application(session, user, application_id), user
        )


@router.put("/applications/{application_id}", summary="修改申请（回到草稿状态）")
def update_application(
    application_id: ApplicationId, body: ApplicationBody, user: CurrentUser, factory: Factory
) -> dict[str, Any]:
    with transaction(factory) as session:
        saved = applications.save_draft(
            session, user, body.raw(), application_id=application_id, expected_version=body.version
        )
        return application_presenters.application_json(saved, user)


@router.post("/applications/{application_id}/prereview", summary="智能预审一份申请并保存结果")
def review_application(
    application_id: ApplicationId, user: CurrentUser, factory: Factory, body: VersionBody | None = None
) -> dict[str, Any]:
    version = body.version if body else None
    with transaction(factory) as session:
        reviewed, _ = applications.run_pre_review(
            session, user, application_id, now().date(), expected_version=version
        )
        return application_presenters.application_json(reviewed, user)


@router.post("/applications/{application_id}/submit", summary="提交申请（须已预审且没有错误项）")
def submit_application(
    application_id: ApplicationId, user: CurrentUser, factory: Factory, body: VersionBody | None = None
) -> dict[str, Any]:
    version = body.version if body else None
    with transaction(factory) as session:
        submitted = applications.submit(session, user, application_id, now().date(), expected_version=version)
        return application_presenters.application_json(submitted, user)
