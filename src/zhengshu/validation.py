"""Turn pydantic validation errors into plain Chinese, field by field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from zhengshu.errors import InvalidInput

FIELD_LABELS = {
    "channel": "渠道",
    "type": "诉求类型",
    "urgency": "紧急程度",
    "category": "分类",
    "title": "标题",
    "content": "诉求内容",
    "appellant_name": "诉求人姓名",
    "appellant_phone": "联系电话",
    "appellant_id_number": "身份证号码",
    "is_enterprise": "是否企业诉求",
    "enterprise_name": "企业名称",
    "enterprise_credit_code": "统一社会信用代码",
    "address": "地址",
    "street": "街道",
    "community": "社区",
    "latitude": "纬度",
    "longitude": "经度",
    "external_id": "外部编号",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "必填"
    if kind == "string_too_short":
        return f"至少 {ctx.get('min_length')} 个字"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字"
    if kind == "enum":
        return f"取值无效，可选：{ctx.get('expected', '')}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "数值超出范围"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return "格式不正确"
    if kind == "extra_forbidden":
        return "不认识的字段"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "无效")))
    return "无效"


def field_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    result: dict[str, str] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(location) or "_"
        result.setdefault(field, _message(error))
    return result


def describe(errors: Mapping[str, str]) -> str:
    parts = []
    for field, message in errors.items():
        label = FIELD_LABELS.get(field.split(".")[-1], field)
        parts.append(message if field == "_" else f"{label}：{message}")
    return "；".join(parts)


def invalid_input(error: ValidationError) -> InvalidInput:
    errors = field_errors(error.errors())
    return InvalidInput("提交的内容有误：" + describe(errors), errors=errors)


def filter_text(value: str | None, label: str, limit: int) -> str | None:
    """A filter typed in a URL: stripped, None when empty; too long or with control characters is an
    InvalidInput naming the field (``label``)."""
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{label}过长（最多 {limit} 个字符）")
    if any(ord(char) < 32 for char in text):
        raise InvalidInput(f"{label}含有不可见的控制字符")
    return text or None
