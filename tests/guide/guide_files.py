"""Item files for the guide's tests: JSONL lines in both shapes and workbooks, built in code; the
service tables emptied around each test that writes them; a 政务服务专员 login."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl
from sqlalchemy import select, text
from tests.conftest import PASSWORD, Database

from zhengshu.db import transaction
from zhengshu.org.models import User
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user

SERVICE_TABLES = ("service_faqs", "service_materials", "service_items")
GUIDE_OFFICER = "guide_officer"


def wipe(db: Database) -> None:
    with db.engine.begin() as connection:
        for table in SERVICE_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))


@contextmanager
def emptied(db: Database) -> Iterator[Database]:
    """the test database with no service items before and after the test (other
    modules' tests may leave some behind)."""
    wipe(db)
    yield db
    wipe(db)


def guide_officer(db: Database) -> User:
    """A 政务服务专员 account (created once per database); its password is the tests' one."""
    with transaction(db.factory) as session:
        user = session.scalars(select(User).where(User.username == GUIDE_OFFICER)).first()
        if user is None:
            user = create_user(
                session, username=GUIDE_OFFICER, password=PASSWORD, role=Role.GUIDE_OFFICER,
                department_code=None, display_name="梁思敏",
            )  # fmt: skip
        session.flush()
        session.expunge(user)
    return user


def native(code: str, name: str, department: str = "区民政局", **fields: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "department": department, **fields}


def jsonl(*lines: dict[str, Any] | str) -> bytes:
    texts = [line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines]
    return "\n".join(texts).encode()


HEADER = ["事项编码", "事项名称", "实施主体", "事项类型", "受理条件", "申请材料", "法定时限", "承诺时限",
          "收费", "办理地点", "办理时间", "设定依据", "咨询电话", "主题", "服务对象", "人生事件"]  # fmt: skip


def workbook(
    rows: list[list[Any]], faqs: list[list[Any]] | None = None, title: str | None = "事项清单"
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "事项"
    if title:
        sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if faqs is not None:
        faq_sheet = book.create_sheet("常见问题")
        faq_sheet.append(["事项编码", "问题", "回答"])
        for row in faqs:
            faq_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROW = [
    "LG-MZ-001", "高龄老人津贴申领", "区民政局", "行政给付", "本区户籍、年满70周岁的老年人",
    "居民身份证 原件 1份 纸质\n银行账户 复印件 1份\n户口簿 复印件 1份 可选 备注：户籍在外区的提交",
    "20个工作日", 10, "不收费", "各社区党群服务中心", "周一至周五 9:00-18:00",
    "《中华人民共和国老年人权益保障法》", "12345", "老年人", "自然人", "",
]  # fmt: skip
