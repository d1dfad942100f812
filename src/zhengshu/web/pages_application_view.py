"""What the application pages share: reading an application form as the page posts it, and the
view of an item's form with each finding next to its field or material; the path and query
parameters of the pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Path, Query
from starlette.datastructures import FormData

from zhengshu.errors import InvalidInput
from zhengshu.guide.application_fields import (
    ID_TYPES,
    MATERIAL_FORMS,
    MATERIAL_MEDIA,
    ApplicantKind,
    FieldKind,
    form_fields,
)
from zhengshu.guide.application_form import AttachedMaterial
from zhengshu.guide.material_names import match_materials
from zhengshu.guide.materials_match import is_conditional
from zhengshu.guide.prereview_findings import Finding, Severity
from zhengshu.guide.records import ItemRecord

MAX_ID = 2**31 - 1
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ItemCode = Annotated[str, Path(max_length=64, pattern=CODE_PATTERN)]
ApplicationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Applicant = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Rows for materials the guide does not list (an applicant may bring something else).
EXTRA_ROWS = 2
MAX_EXTRA_ROWS = 10


# --- reading the page's form ---------------------------------------------------------------------


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# The page's buttons: the action each sends, by its label.
ACTION_LABELS = {"prereview": "智能预审", "save": "保存草稿", "submit": "提交申请"}


def posted_action(form: FormData, allowed: Sequence[str]) -> str:
    """The button the form was sent with, one of ``allowed``; InvalidInput for anything else, so a
    post that names no known button changes nothing instead of being taken for one."""
    action = form_text(form, "action")
    if action not in allowed:
        buttons = "、".join(f"「{ACTION_LABELS[name]}」" for name in allowed)
        raise InvalidInput(
            f"不认识的操作“{action[:20]}”：请使用页面上的{buttons}按钮", errors={"action": "取值无效"}
        )
    return action


def posted_application(form: FormData, item: ItemRecord, kind: ApplicantKind) -> dict[str, Any]:
    """The page's form as {"kind", "values", "materials"}: a ticked row per required material, and
    the rows of materials the guide does not list."""
    values = {f.name: form_text(form, f.name) for f in form_fields(item, kind)}
    materials = []
    for index, required in enumerate(item.materials):
        if form_text(form, f"m{index}_has"):
            materials.append({"name": required.name, **_material_parts(form, f"m{index}")})
    for index in range(MAX_EXTRA_ROWS):
        name = form_text(form, f"x{index}_name").strip()
        if name:
            materials.append({"name": name, **_material_parts(form, f"x{index}")})
    return {"kind": kind.value, "values": values, "materials": materials}


def _material_parts(form: FormData, prefix: str) -> dict[str, str]:
    return {key: form_text(form, f"{prefix}_{key}") for key in ("form", "medium", "valid_until", "issued_on")}


def field_errors(error: InvalidInput) -> dict[str, str]:
    """ "values.name" → "name", "materials.0.form" stays: what the page can show next to a field."""
    return {key.removeprefix("values."): message for key, message in error.errors.items()}


# --- what the page shows -------------------------------------------------------------------------


def _grouped(findings: Sequence[Finding] | None) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    by_field: dict[str, list[Finding]] = {}
    by_material: dict[str, list[Finding]] = {}
    for finding in findings or ():
        if finding.field:
            by_field.setdefault(finding.field, []).append(finding)
        elif finding.material:
            by_material.setdefault(finding.material, []).append(finding)
    return by_field, by_material


def form_view(
    item: ItemRecord,
    kind: ApplicantKind,
    values: Mapping[str, str],
    attached: Sequence[AttachedMaterial],
    *,
    findings: Sequence[Finding] | None = None,
    sources: Mapping[str, str] | None = None,
    material_sources: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    by_field, by_material = _grouped(findings)
    sources = sources or {}
    errors = errors or {}
    all_fields = form_fields(item, kind)
    fields = [
        {
            "field": f,
            "value": values.get(f.name, ""),
            "source": sources.get(f.name, ""),
            "findings": by_field.get(f.name, []),
            "error": errors.get(f.name, ""),
            "is_date": f.kind is FieldKind.DATE,
        }
        for f in all_fields
    ]
    pairs, _, extra = match_materials(item.materials, attached)
    paired = {id(pair.required): pair.attached for pair in pairs}
    rows = []
    for index, required in enumerate(item.materials):
        have = paired.get(id(required))
        rows.append(
            {
                "index": index,
                "material": required,
                "conditional": is_conditional(required),
                "attached": have or AttachedMaterial(required.name),
                "has": have is not None,
                "source": (material_sources or {}).get(required.name, ""),
                "findings": by_material.get(required.name, []),
            }
        )
    extras = [
        {"index": index, "attached": have, "findings": by_material.get(have.name, [])}
        for index, have in enumerate(extra[:MAX_EXTRA_ROWS])
    ]
    for index in range(len(extras), min(MAX_EXTRA_ROWS, len(extras) + EXTRA_ROWS)):
        extras.append({"index": index, "attached": AttachedMaterial(""), "findings": []})
    return {
        "item": item,
        "kind": kind,
        "kinds": list(ApplicantKind),
        "applicant_fields": [row for row, f in zip(fields, all_fields, strict=True) if f.condition is None],
        "questions": [row for row, f in zip(fields, all_fields, strict=True) if f.condition is not None],
        "materials": rows,
        "extras": extras,
        "findings": list(findings) if findings is not None else None,
        "general": by_field.get("kind", []),
        "counts": _counts(findings),
        "material_forms": MATERIAL_FORMS,
        "material_media": MATERIAL_MEDIA,
        "id_types": ID_TYPES,
    }


def _counts(findings: Sequence[Finding] | None) -> dict[str, int] | None:
    if findings is None:
        return None
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return {"errors": errors, "notices": len(findings) - errors}


def posted_applicant(form: FormData) -> int | None:
    text = form_text(form, "applicant").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise InvalidInput("办事人编号无效", errors={"applicant": "无效"})
    return int(text)


def posted_version(form: FormData) -> int | None:
    text = form_text(form, "version").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID else None
