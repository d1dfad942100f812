"""Which department handles a category: a table the operator may override from a CSV file.

The defaults are vocabulary.CATEGORY_DEPARTMENTS plus the first-level classes of the 12345
taxonomy the teddycup data uses (docs/operations.md). A category routed to the street office
(an empty code in CATEGORY_DEPARTMENTS, or "street" in the operator file) goes to the office of the
appeal's street: a department of kind "street". Categories may be taxonomy paths
("城乡建设/安全生产/事故处理"): the longest routed prefix wins.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from zhengshu.appeals.vocabulary import CATEGORY_DEPARTMENTS
from zhengshu.errors import InvalidInput
from zhengshu.org.models import Department

__all__ = ["STREET_OFFICE", "Routes", "default_routes", "load_routes"]

STREET_OFFICE = "street"
_SEPARATOR = "/"

# First-level classes of the provincial 12345 taxonomy, to the district department closest in remit.
# 纪检监察 is known but routed nowhere on purpose (an empty code): the dispatcher decides.
TAXONOMY_DEPARTMENTS: dict[str, str] = {
    "纪检监察": "",
    "城乡建设": "zjj",
    "环境保护": "hbj",
    "交通运输": "jtj",
    "教育文体": "jyj",
    "劳动和社会保障": "rlj",
    "卫生计生": "wjj",
    "商贸旅游": "scj",
    "经济管理": "scj",
    "国土资源": "ghj",
    "民政": "mzj",
    "政法": "gaj",
    "党务政务": "zfzj",
    "科技与信息产业": "zfzj",
    "农村农业": STREET_OFFICE,
}


@dataclass(frozen=True)
class Routes:
    """Category → department code, STREET_OFFICE, or "" (a known category nobody is routed for)."""

    table: dict[str, str]

    def knows(self, category: str) -> bool:
        parts = category.split(_SEPARATOR)
        return any(_SEPARATOR.join(parts[:end]) in self.table for end in range(len(parts), 0, -1))

    def target(self, category: str) -> str | None:
        """The routed code for the category or its nearest routed parent; None when unrouted."""
        parts = category.split(_SEPARATOR)
        for end in range(len(parts), 0, -1):
            code = self.table.get(_SEPARATOR.join(parts[:end]))
            if code:
                return code
        return None

    def department(
        self, category: str, street_id: int | None, departments: list[Department]
    ) -> Department | None:
        """The department that should handle an appeal of the category from the street, if known."""
        code = self.target(category)
        if code == STREET_OFFICE:
            offices = [d for d in departments if d.kind == "street" and d.street_id == street_id]
            return offices[0] if street_id is not None and offices else None
        return next((d for d in departments if d.code == code), None)


def default_routes() -> Routes:
    table = {category: code or STREET_OFFICE for category, code in CATEGORY_DEPARTMENTS.items()}
    for category, code in TAXONOMY_DEPARTMENTS.items():
        table.setdefault(category, code)
    return Routes(table)


def parse_routes(text: str, source: str = "分拨规则文件") -> dict[str, str]:
    """Rows `category,department_code` (with that header); an empty code: known, routed nowhere."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or {"category", "department_code"} - set(reader.fieldnames):
        raise InvalidInput(f"{source}需要 category,department_code 两列")
    table: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        category = (row.get("category") or "").strip()
        code = (row.get("department_code") or "").strip()
        if not category:
            raise InvalidInput(f"{source}第 {line} 行缺少分类")
        table[category] = code
    return table


def load_routes(path: Path | None) -> Routes:
    """The defaults, overridden row by row by the operator's file when one is configured."""
    routes = default_routes()
    if path is None:
        return routes
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"无法读取分拨规则文件 {path}：{error}") from None
    return Routes({**routes.table, **parse_routes(text)})
