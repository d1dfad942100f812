"""The dashboards' URL parameters, shared by their JSON API, pages and exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from zhengshu.appeals.board_filters import BoardFilters, parse_filters

Text = Annotated[str | None, Query(max_length=64)]


@dataclass(frozen=True)
class BoardParams:
    first: str | None
    last: str | None
    category: str | None
    type: str | None
    street: str | None
    community: str | None
    department: str | None

    def filters(self, session: Session) -> BoardFilters:
        return parse_filters(
            session,
            first=self.first,
            last=self.last,
            category=self.category,
            type=self.type,
            street=self.street,
            community=self.community,
            department=self.department,
        )


def board_params(
    first: Annotated[
        str | None, Query(max_length=10, description="开始日期 YYYY-MM-DD（默认：结束日期前 30 天）")
    ] = None,
    last: Annotated[str | None, Query(max_length=10, description="结束日期 YYYY-MM-DD（默认：今天）")] = None,
    category: Annotated[str | None, Query(max_length=64, description="诉求类别")] = None,
    type: Annotated[str | None, Query(max_length=64, description="诉求类型，如 complaint")] = None,
    street: Annotated[str | None, Query(max_length=64, description="街道代码")] = None,
    community: Annotated[str | None, Query(max_length=64, description="社区代码")] = None,
    department: Annotated[str | None, Query(max_length=64, description="承办单位代码")] = None,
) -> BoardParams:
    return BoardParams(first, last, category, type, street, community, department)


Params = Annotated[BoardParams, Depends(board_params)]
