"""Reference data shipped with the package: Longgang's streets, communities and departments.

Streets and communities are derived from public division codes (see tools/derive_divisions.py);
the department list is the project's own.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

from sqlalchemy import Connection, insert, select

from zhengshu.org.models import Community, Department, Street


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("zhengshu.org").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_reference_data(connection: Connection) -> None:
    """Insert what is missing; existing rows are left alone, so this can run on every upgrade."""
    streets: dict[str, Any] = {
        code: street_id for code, street_id in connection.execute(select(Street.code, Street.id))
    }
    for row in _rows("streets.csv"):
        if row["code"] not in streets:
            result = connection.execute(insert(Street).values(code=row["code"], name=row["name"]))
            streets[row["code"]] = result.inserted_primary_key[0]  # type: ignore[index]
    known = set(connection.scalars(select(Community.code)))
    new_communities = [
        {"code": r["code"], "name": r["name"], "street_id": streets[r["street_code"]]}
        for r in _rows("communities.csv")
        if r["code"] not in known
    ]
    if new_communities:
        connection.execute(insert(Community), new_communities)
    known = set(connection.scalars(select(Department.code)))
    new_departments = [
        {
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "street_id": streets[r["street_code"]] if r["street_code"] else None,
        }
        for r in _rows("departments.csv")
        if r["code"] not in known
    ]
    if new_departments:
        connection.execute(insert(Department), new_departments)
