"""Open311 parameters by their spec names, and the error that names each wrong one.

Errors describe a field as the client sent it ("联系电话（phone）：…"), since an Open311 client knows
the spec's names, not the appeal's.
"""

from __future__ import annotations

from zhengshu.errors import InvalidInput

FIELD_LABELS = {
    "service_code": "服务代码",
    "jurisdiction_id": "辖区编号",
    "api_key": "API 密钥",
    "lat": "纬度",
    "long": "经度",
    "address_string": "地址",
    "address_id": "地址编码",
    "email": "电子邮箱",
    "device_id": "设备编号",
    "account_id": "账号",
    "first_name": "名",
    "last_name": "姓",
    "phone": "联系电话",
    "description": "问题描述",
    "media_url": "图片链接",
    "attribute[street]": "街道",
    "attribute[community]": "社区",
    "service_request_id": "诉求编号",
    "status": "状态",
    "start_date": "开始时间",
    "end_date": "结束时间",
}


def describe_field(field: str, message: str) -> str:
    label = FIELD_LABELS.get(field)
    return f"{label}（{field}）：{message}" if label else message


class InvalidRequest(InvalidInput):
    """An Open311 request that is wrong; errors hold one complete description per field."""


def invalid_request(errors: dict[str, str]) -> InvalidRequest:
    return InvalidRequest("提交的内容有误：" + "；".join(errors.values()), errors=errors)
