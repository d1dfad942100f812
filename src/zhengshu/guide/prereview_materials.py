"""Pre-review of the materials: each problem zhengshu.guide.materials_match finds (missing, wrong
form or medium, expired, expiring before the item is done, too old), worded in plain Chinese with
what to do, as an error or a notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from zhengshu.guide.application_form import Application
from zhengshu.guide.materials_match import MaterialProblem, ProblemKind, check_materials
from zhengshu.guide.prereview_findings import Finding, Severity
from zhengshu.guide.records import ItemRecord
from zhengshu.workdays import UnknownCalendarYear, default_calendar

__all__ = ["material_findings"]


def _finish_by(item: ItemRecord, today: date) -> date | None:
    days = item.promised_limit_days if item.promised_limit_days is not None else item.legal_limit_days
    if days is None:
        return None
    try:
        return default_calendar().add_workdays(today, days).day
    except UnknownCalendarYear:
        return None


def _attached_name(problem: MaterialProblem) -> str:
    return problem.attached.name if problem.attached is not None else ""


def _and_copy(problem: MaterialProblem) -> str:
    return "和复印件" if problem.required is not None and "复印件" in problem.required.form else ""


_DATE_LABELS = {"valid_until": "有效期至", "issued_on": "开具日期"}


_MATERIAL_WORDING: dict[ProblemKind, tuple[Severity, Callable[[MaterialProblem], tuple[str, str]]]] = {
    ProblemKind.MISSING: (
        Severity.ERROR,
        lambda p: (f"缺少申请材料「{p.name}」", "请备齐该材料，并在材料清单中勾选"),
    ),
    ProblemKind.MISSING_CONDITIONAL: (
        Severity.NOTICE,
        lambda p: (f"未提交「{p.name}」（视情形提交）", "如您属于该材料所说的情形，请一并提交；否则可不提交"),
    ),
    ProblemKind.EXTRA: (
        Severity.NOTICE,
        lambda p: (
            f"「{p.name}」不在本事项的申请材料清单中",
            "请核对材料名称是否与清单一致；确实无关的材料无需提交",
        ),
    ),
    ProblemKind.NEEDS_ORIGINAL: (
        Severity.ERROR,
        lambda p: (
            f"「{p.name}」须提交原件{_and_copy(p)}，您选择的是复印件",
            "请带上原件（窗口核验后退还）",
        ),
    ),
    ProblemKind.NEEDS_COPY_TOO: (
        Severity.NOTICE,
        lambda p: (f"「{p.name}」须同时提交原件和复印件", "请另备一份复印件"),
    ),
    ProblemKind.NEEDS_PAPER: (
        Severity.ERROR,
        lambda p: (f"「{p.name}」须提交纸质材料，您选择的是电子材料", "请打印或携带纸质材料"),
    ),
    ProblemKind.NEEDS_ELECTRONIC: (
        Severity.ERROR,
        lambda p: (f"「{p.name}」须提交电子材料，您选择的是纸质材料", "请扫描或拍照后上传电子材料"),
    ),
    ProblemKind.BAD_DATE: (
        Severity.ERROR,
        lambda p: (
            f"「{_attached_name(p)}」的{_DATE_LABELS.get(p.date_field, '日期')}填写有误：{p.detail}",
            "请对照材料上的日期，按“年-月-日”重新填写",
        ),
    ),
    ProblemKind.EXPIRED: (
        Severity.ERROR,
        lambda p: (
            f"「{_attached_name(p)}」已于{p.day:%Y年%m月%d日}过期",
            "请先办理换证或重新开具，提交有效期内的材料",
        ),
    ),
    ProblemKind.EXPIRES_BEFORE_DONE: (
        Severity.NOTICE,
        lambda p: (
            f"「{_attached_name(p)}」将在本事项预计办结日（{p.day:%Y年%m月%d日}）前到期",
            "建议先办理换证，以免办理期间材料失效",
        ),
    ),
    ProblemKind.ISSUED_IN_FUTURE: (
        Severity.ERROR,
        lambda p: (f"「{_attached_name(p)}」的开具日期晚于今天", "请核对开具日期"),
    ),
    ProblemKind.ENDS_BEFORE_ISSUED: (
        Severity.ERROR,
        lambda p: (f"「{_attached_name(p)}」的有效期至早于开具日期", "请核对材料的开具日期和有效期"),
    ),
    ProblemKind.TOO_OLD: (
        Severity.ERROR,
        lambda p: (
            f"「{p.name}」须为{p.detail}开具或拍摄，您的材料开具于{p.day:%Y年%m月%d日}，已超过期限",
            "请重新开具或拍摄",
        ),
    ),
    ProblemKind.FRESHNESS_UNKNOWN: (
        Severity.NOTICE,
        lambda p: (f"「{p.name}」须为{p.detail}开具或拍摄", "请确认材料日期，并填写开具日期"),
    ),
}


def material_findings(item: ItemRecord, application: Application, today: date) -> list[Finding]:
    check = check_materials(item.materials, application.materials, today, finish_by=_finish_by(item, today))
    findings = []
    for problem in check.problems:
        severity, wording = _MATERIAL_WORDING[problem.kind]
        message, action = wording(problem)
        findings.append(
            Finding(severity, f"material.{problem.kind.value}", message, action, material=problem.name)
        )
    return findings
