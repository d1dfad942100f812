"""What an intake channel hands in: one validated draft appeal, whatever the channel.

AppealFields are what the appellant tells; AppealDraft adds what the receiving side sets (the
channel, urgency, category and the other system's id). The public API's model extends
AppealFields, so each field's constraints are declared once and both schemas carry them.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from zhengshu.appeals.vocabulary import CATEGORIES, AppealType, Channel, Urgency
from zhengshu.text.identifiers import is_valid_credit_code, is_valid_resident_id, normalize_phone
from zhengshu.text.normalize import collapse_whitespace, normalize_text

MAX_CONTENT = 5000
# The name an appeal carries when the appellant gave none.
ANONYMOUS = "匿名市民"
# Validation context that lets a draft carry the Open311 channel. Only the Open311 POST passes it:
# the public Open311 feed publishes exactly the appeals of that channel, so no other entry point
# (operator API, intake page, import) may put an appeal there.
OPEN311_CONTEXT: dict[str, Any] = {"open311": True}
OPEN311_ONLY = "Open311 渠道仅限 Open311 接口使用"


def _single_line(value: object) -> object:
    return collapse_whitespace(value) if isinstance(value, str) else value


def _none_if_blank(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class AppealFields(BaseModel):
    """What the appellant tells, whichever channel it comes through."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: AppealType = AppealType.COMPLAINT
    title: Annotated[str, Field(min_length=2, max_length=200)]
    content: Annotated[str, Field(min_length=5, max_length=MAX_CONTENT)]
    appellant_name: Annotated[str, Field(min_length=1, max_length=64)]
    appellant_phone: Annotated[str, Field(min_length=1, max_length=32)]
    appellant_id_number: str | None = Field(default=None, max_length=18)
    is_enterprise: bool = False
    enterprise_name: str | None = Field(default=None, max_length=128)
    enterprise_credit_code: str | None = Field(default=None, max_length=18)
    address: str | None = Field(default=None, max_length=200)
    street: str | None = Field(default=None, max_length=32)
    community: str | None = Field(default=None, max_length=32)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="before")
    @classmethod
    def _drop_nul(cls, values: object) -> object:
        # NUL cannot be stored in PostgreSQL text and never belongs in an appeal.
        if isinstance(values, dict):
            return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in values.items()}
        return values

    _strip_lines = field_validator("title", "appellant_name", "address", "enterprise_name", mode="before")(
        _single_line
    )

    @field_validator("content", mode="before")
    @classmethod
    def _normalise_content(cls, value: object) -> object:
        return normalize_text(value) if isinstance(value, str) else value

    @field_validator("appellant_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        canonical = normalize_phone(value)
        if canonical is None:
            raise ValueError("电话号码无效，请填写11位手机号或带区号的固定电话")
        return canonical

    @field_validator("appellant_id_number", mode="before")
    @classmethod
    def _id_number(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            value = value.strip().upper()
            if not is_valid_resident_id(value):
                raise ValueError("身份证号码无效（位数、出生日期或校验位不正确）")
        return value

    @field_validator("enterprise_credit_code", mode="before")
    @classmethod
    def _credit_code(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            value = value.strip().upper()
            if not is_valid_credit_code(value):
                raise ValueError("统一社会信用代码无效（应为18位，且校验位正确）")
        return value

    @field_validator("street", "community", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return _none_if_blank(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.is_enterprise and not (self.enterprise_name and self.enterprise_credit_code):
            raise ValueError("企业诉求须填写企业名称和统一社会信用代码")
        if self.community and not self.street:
            raise ValueError("填写社区时须同时填写所属街道")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("经纬度须同时填写")
        return self


class AppealDraft(AppealFields):
    """An appeal ready for intake.submit_appeal: what the appellant told, and how it came in."""

    channel: Channel = Channel.WEBSITE
    urgency: Urgency = Urgency.NORMAL
    category: str | None = Field(default=None, max_length=32)
    external_id: str | None = Field(default=None, max_length=64)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: Channel, info: ValidationInfo) -> Channel:
        context = info.context
        if value is Channel.OPEN311 and not (isinstance(context, dict) and context.get("open311") is True):
            raise ValueError(OPEN311_ONLY)
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        if value and value not in CATEGORIES:
            raise ValueError(f"未知分类“{value}”")
        return value or None

    @field_validator("external_id", mode="before")
    @classmethod
    def _blank_external_id(cls, value: object) -> object:
        return _none_if_blank(value)
