"""API login (bearer tokens), the current user, and the organisation's reference data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from zhengshu.db import transaction
from zhengshu.org import services
from zhengshu.org.models import User
from zhengshu.org.roles import ROLE_PERMISSIONS, Role
from zhengshu.web.deps import CurrentUser, Factory, NotAuthenticated, settings
from zhengshu.web.ratelimit import limit_failed_logins

router = APIRouter(prefix="/api/v1", tags=["auth"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def user_info(user: User) -> dict[str, Any]:
    role = Role(user.role)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": role.value,
        "role_label": role.label,
        "department": user.department.name if user.department else None,
        "department_code": user.department.code if user.department else None,
        "permissions": sorted(p.value for p in ROLE_PERMISSIONS[role]),
    }


@router.post("/auth/token", summary="用户名密码换取访问令牌（Bearer）")
@limit_failed_logins
def token(body: Credentials, request: Request, factory: Factory) -> dict[str, Any]:
    days = settings(request).api_token_days
    with transaction(factory) as session:
        user = services.authenticate(session, body.username, body.password)
        if user is None:
            raise NotAuthenticated("用户名或密码错误")
        value = services.issue_token(session, user, days)
        info = user_info(user)
    return {"access_token": value, "token_type": "bearer", "expires_in": days * 86400, "user": info}


@router.get("/me", summary="当前用户")
def me(user: CurrentUser) -> dict[str, Any]:
    return user_info(user)


@router.get("/org/streets", summary="街道与社区")
def streets(factory: Factory) -> list[dict[str, Any]]:
    with transaction(factory) as session:
        return [
            {
                "code": s.code,
                "name": s.name,
                "communities": [{"code": c.code, "name": c.name} for c in s.communities],
            }
            for s in services.streets(session)
        ]


@router.get("/org/departments", summary="承办单位")
def departments(factory: Factory) -> list[dict[str, Any]]:
    with transaction(factory) as session:
        return [{"code": d.code, "name": d.name, "kind": d.kind} for d in services.departments(session)]
