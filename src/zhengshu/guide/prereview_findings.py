"""What pre-review finds: a finding's severity, code, plain-Chinese message and what to do, tied to
a form field or a material; stored with an application as JSON and read back from it.

Messages never repeat an ID number, a phone number or a name: findings are stored and shown in
lists, and must not carry personal data there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Severity", "blocking", "error", "notice"]


class Severity(StrEnum):
    ERROR = "错误"  # the application would be refused as it stands
    NOTICE = "提醒"  # worth a look; does not stop submission


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # what kind of finding, e.g. "id_number.check_digit"
    message: str
    action: str  # what to do about it
    field: str = ""  # the form field it is about
    material: str = ""  # or the material

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "action": self.action,
            "field": self.field,
            "material": self.material,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            Severity(data["severity"]),
            str(data["code"]),
            str(data["message"]),
            str(data["action"]),
            str(data.get("field", "")),
            str(data.get("material", "")),
        )


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop a submission."""
    return [f for f in findings if f.severity is Severity.ERROR]


def error(code: str, message: str, action: str, **where: str) -> Finding:
    return Finding(Severity.ERROR, code, message, action, **where)


def notice(code: str, message: str, action: str, **where: str) -> Finding:
    return Finding(Severity.NOTICE, code, message, action, **where)
