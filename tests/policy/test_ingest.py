"""Ingest into the library: versions, repeals, officer edits, bulk runs; nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.conftest import Database
from tests.policy.documents import blank_pdf, docx_bytes, text_pdf

from zhengshu import audit
from zhengshu.db import reading, transaction
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput
from zhengshu.policy import ingest as ingest_module
from zhengshu.policy.demo import demo_documents, load_demo
from zhengshu.policy.ingest import ingest_file, ingest_folder, ingest_jsonl, ingest_path
from zhengshu.policy.models import PolicyArticle, PolicyDocument, PolicyStatus, PolicyVersion
from zhengshu.policy.readers import MAX_BYTES
from zhengshu.policy.versions import update_metadata

RULES_2023 = """深龙府规〔2023〕2号
龙岗区示例扶持措施（示例文件，非真实文件）
第一章 总则
第一条 为支持中小企业发展，制定本措施。
第二章 扶持
第二条 贷款贴息比例为50%。
第三条 本措施自2023年4月1日起施行。
深圳市龙岗区人民政府
2023年3月15日"""
RULES_2025 = (
    RULES_2023.replace("50%", "60%")
    .replace("2023年4月1日", "2025年3月1日")
    .replace("2023年3月15日", "2025年2月10日")
)
REPEALER = """深龙府〔2025〕8号
深圳市龙岗区人民政府关于废止部分规范性文件的决定（示例文件，非真实文件）
决定废止下列文件：
1.《龙岗区示例扶持措施（示例文件，非真实文件）》（深龙府规〔2023〕2号）
深圳市龙岗区人民政府
2025年6月30日"""


def _count(db: Database, model: type) -> int:
    with reading(db.factory) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _ingest(db: Database, name: str, text: str | bytes, **kwargs: object) -> ingest_module.IngestResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with transaction(db.factory) as session:
        return ingest_file(session, name, data, **kwargs)  # type: ignore[arg-type]


def test_a_new_document_is_stored_with_metadata_articles_and_an_audit_event(db: Database) -> None:
    officer = db.user("admin")
    result = _ingest(db, "措施.txt", RULES_2023, actor=officer)
    assert result.outcome == "created"
    with reading(db.factory) as session:
        version = session.get_one(PolicyVersion, result.version_id)
        assert version.title == "龙岗区示例扶持措施（示例文件，非真实文件）"
        assert version.document_number == "深龙府规〔2023〕2号"
        assert version.issuing_body == "深圳市龙岗区人民政府"
        assert version.year == 2023 and version.is_current and version.version_no == 1
        assert version.source_format == "txt" and version.created_by_id == officer.id
        assert version.text == RULES_2023
        articles = session.scalars(
            select(PolicyArticle)
            .where(PolicyArticle.version_id == version.id)
            .order_by(PolicyArticle.ordinal)
        ).all()
        assert [a.anchor for a in articles] == ["序言", "第一条", "第二条", "第三条"]
        second = articles[2]
        assert second.path == "第二章 扶持 第二条"
        assert (
            RULES_2023[second.start_offset : second.end_offset] == second.text == "第二条 贷款贴息比例为50%。"
        )
        document = session.get_one(PolicyDocument, result.document_id)
        assert document.doc_key == "文号:深龙府规〔2023〕2号"
        events = audit.events_for(session, "policy_version", version.id)
        assert [event.action for event in events] == ["policy.imported"]
        assert events[0].actor_id == officer.id


def test_the_same_text_again_is_unchanged_and_writes_nothing(db: Database) -> None:
    first = _ingest(db, "措施.txt", RULES_2023)
    again = _ingest(db, "另一个名字.txt", RULES_2023)
    assert again.outcome == "unchanged" and again.version_id == first.version_id
    assert _count(db, PolicyVersion) == 1


def test_a_revision_supersedes_the_current_version_and_both_stay_readable(db: Database) -> None:
    first = _ingest(db, "2023.txt", RULES_2023)
    revised = _ingest(db, "2025.txt", RULES_2025.replace("深龙府规〔2023〕2号", "深龙府规〔2025〕1号"))
    assert revised.outcome == "new_version" and revised.document_id == first.document_id
    assert revised.superseded_version_id == first.version_id
    with reading(db.factory) as session:
        old = session.get_one(PolicyVersion, first.version_id)
        new = session.get_one(PolicyVersion, revised.version_id)
        assert (old.is_current, old.superseded_by_id, old.status) == (False, new.id, "amended")
        assert (new.is_current, new.version_no, new.status) == (True, 2, "in_force")
        assert "50%" in old.text and "60%" in new.text
        assert [v.version_no for v in session.get_one(PolicyDocument, first.document_id).versions] == [1, 2]
        changes = audit.events_for(session, "policy_version", old.id)
        assert [e.action for e in changes] == ["policy.imported", "policy.status_changed"]
        assert changes[1].data["to"] == "amended"


def test_an_older_text_imported_after_a_newer_one_becomes_history(db: Database) -> None:
    newer = _ingest(db, "2025.txt", RULES_2025)
    older = _ingest(db, "2023.txt", RULES_2023)
    assert older.outcome == "earlier_version" and older.superseded_version_id == older.version_id
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, newer.version_id).is_current
        history = session.get_one(PolicyVersion, older.version_id)
        assert (history.is_current, history.superseded_by_id) == (False, newer.version_id)


def test_without_a_number_the_same_title_and_issuer_make_a_version(db: Database) -> None:
    text = (
        "深圳市龙岗区教育局关于学位申请的通知\n一、对象\n适龄儿童。\n二、时间\n五月。\n"
        "深圳市龙岗区教育局\n2025年4月1日"
    )
    first = _ingest(db, "a.txt", text)
    second = _ingest(db, "b.txt", text.replace("五月", "六月"))
    other = _ingest(db, "c.txt", text.replace("学位申请", "课后服务"))
    assert second.outcome == "new_version" and second.document_id == first.document_id
    assert other.outcome == "created"


def test_a_repealing_document_marks_the_repealed_one_in_either_order(db: Database) -> None:
    target = _ingest(db, "措施.txt", RULES_2023)
    repealer = _ingest(db, "决定.txt", REPEALER)
    assert repealer.repealed_version_ids == (target.version_id,)
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, target.version_id).status == "repealed"
        assert session.get_one(PolicyVersion, repealer.version_id).status == "in_force"
        event = audit.events_for(session, "policy_version", target.version_id)[-1]
        assert event.data == {"from": "in_force", "to": "repealed", "reason": "被其他文件废止",
                              "repealed_by": repealer.version_id}  # fmt: skip


def test_a_document_repealed_before_it_was_imported_arrives_repealed(db: Database) -> None:
    _ingest(db, "决定.txt", REPEALER)
    late = _ingest(db, "措施.txt", RULES_2023)
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, late.version_id).status == "repealed"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", blank_pdf(), "扫描件"),
        ("empty.docx", docx_bytes([""]), "没有文字"),
        ("empty.txt", b"", "为空"),
        ("table.xls", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
        ("big.txt", b"x" * (MAX_BYTES + 1), "超过 20 MB"),
    ],
)
def test_bad_input_writes_nothing(db: Database, name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _ingest(db, name, data)
    assert _count(db, PolicyDocument) == _count(db, PolicyVersion) == _count(db, PolicyArticle) == 0


def test_a_failure_while_writing_leaves_no_half_written_document(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "_write_articles", broken)
    with pytest.raises(RuntimeError):
        _ingest(db, "措施.txt", RULES_2023)
    assert _count(db, PolicyDocument) == _count(db, PolicyVersion) == 0


def test_pdf_and_docx_uploads(db: Database) -> None:
    pdf = _ingest(db, "措施.pdf", text_pdf(RULES_2023.split("\n")))
    docx = _ingest(db, "通知.docx", docx_bytes(RULES_2025.replace("2023〕2号", "2025〕1号").split("\n")))
    assert pdf.outcome == "created" and docx.outcome == "new_version"
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, pdf.version_id).source_format == "pdf"
        assert session.get_one(PolicyVersion, docx.version_id).text.startswith("深龙府规〔2025〕1号")


def test_folder_import_goes_on_past_bad_files_and_reports_each(db: Database, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a_措施.txt").write_text(RULES_2023, encoding="utf-8")
    (tmp_path / "b_扫描.pdf").write_bytes(blank_pdf())
    (tmp_path / "sub" / "c_决定.html").write_text(f"<p>{REPEALER.replace(chr(10), '</p><p>')}</p>", "utf-8")
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"docid": "n1", "text": "新闻 内容", "title": "一则新闻"}, ensure_ascii=False)
        + "\n{bad\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.md").write_text("不导入", encoding="utf-8")
    seen: list[tuple[int, int, str]] = []
    report = ingest_folder(db.factory, tmp_path, progress=lambda *args: seen.append(args))
    outcomes = {item.name: (item.outcome, item.message) for item in report.items}
    assert outcomes["a_措施.txt"] == ("created", "新建")
    assert outcomes["b_扫描.pdf"][0] == "error" and "扫描件" in outcomes["b_扫描.pdf"][1]
    assert outcomes["sub/c_决定.html"][0] == "created"
    assert outcomes["d.jsonl:1（n1）"][0] == "created"
    assert outcomes["d.jsonl:2"] == ("error", "不是合法的 JSON")
    assert report.summary() == {"created": 3, "new_version": 0, "earlier_version": 0, "unchanged": 0,
                                "error": 2, "total": 5}  # fmt: skip
    assert [done for done, _total, _name in seen] == [1, 2, 3, 4] and seen[-1][1] == 4
    assert _count(db, PolicyVersion) == 3
    # The repeal in the HTML document reached the text document imported before it.
    with reading(db.factory) as session:
        statuses = dict(
            session.execute(select(PolicyVersion.source_name, PolicyVersion.status)).tuples().all()
        )
    assert statuses["a_措施.txt"] == "repealed"


def test_jsonl_lines_use_their_metadata_and_refuse_bad_metadata(db: Database) -> None:
    lines = [
        {"docid": "x1", "text": "关于某事的通知 正文内容", "title": "给定标题", "issuing_body": "某局",
         "written_on": "2020-02-03", "topics": ["疫情防控"]},
        {"docid": "x2", "text": "正文", "written_on": "昨天"},
    ]  # fmt: skip
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode("utf-8")
    report = ingest_jsonl(db.factory, "c.jsonl", data)
    assert [item.outcome for item in report.items] == ["created", "error"]
    assert "成文日期" in report.items[1].message
    result = report.items[0].result
    assert result is not None
    with reading(db.factory) as session:
        version = session.get_one(PolicyVersion, result.version_id)
        assert (version.title, version.issuing_body, version.year) == ("给定标题", "某局", 2020)
        assert version.metadata_sources["title"] == "导入时提供"
        assert session.get_one(PolicyDocument, version.document_id).doc_key == "docid:x1"
    again = ingest_path(db.factory, _write(data))
    assert again.count("unchanged") == 1


def _write(data: bytes) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "c.jsonl"
    path.write_bytes(data)
    return path


def test_officer_edits_are_validated_audited_and_marked(db: Database) -> None:
    result = _ingest(db, "措施.txt", RULES_2023)
    officer = db.user("admin")
    with transaction(db.factory) as session:
        version = update_metadata(
            session,
            result.version_id,
            {"issuing_body": "深圳市龙岗区工业和信息化局", "published_on": "2023年3月20日",
             "status": "已失效", "topics": "企业扶持、科技创新", "document_number": "深龙府规[2023]2号"},
            officer,
        )  # fmt: skip
        assert version.status == "expired" and version.topics == ["企业扶持", "科技创新"]
    with reading(db.factory) as session:
        version = session.get_one(PolicyVersion, result.version_id)
        assert version.issuing_body == "深圳市龙岗区工业和信息化局" and version.metadata_edited
        assert version.metadata_sources["issuing_body"] == "人工修改"
        assert version.metadata_sources["written_on"] == "落款日期"
        event = audit.events_for(session, "policy_version", version.id)[-1]
        assert event.action == "policy.metadata_edited" and event.actor_id == officer.id
        # The 文号 was only retyped: it is not a change.
        assert set(event.data["changes"]) == {"issuing_body", "published_on", "topics"}
        assert event.data["changes"]["published_on"] == [None, "2023-03-20"]
        assert version.metadata_sources["status"] == "人工修改"
        # The status has one path: the same audit event as any other status change.
        status_event = audit.events_for(session, "policy_version", version.id)[-2]
        assert status_event.action == "policy.status_changed" and status_event.actor_id == officer.id
        assert status_event.data == {"from": "in_force", "to": "expired", "reason": "人工修改"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"written_on": "2023-02-30"}, "written_on"),
        ({"document_number": "第三号"}, "document_number"),
        ({"status": "作废"}, "status"),
        ({"topics": ["很长的主题" * 5]}, "topics"),
    ],
)
def test_bad_edits_are_refused_field_by_field(db: Database, fields: dict[str, object], field: str) -> None:
    result = _ingest(db, "措施.txt", RULES_2023)
    with pytest.raises(InvalidInput) as refused, transaction(db.factory) as session:
        update_metadata(session, result.version_id, fields, None)
    assert list(refused.value.errors) == [field]


def test_edits_follow_the_status_table_and_know_their_fields(db: Database) -> None:
    target = _ingest(db, "措施.txt", RULES_2023)
    _ingest(db, "决定.txt", REPEALER)
    with pytest.raises(IllegalTransition, match="已废止"), transaction(db.factory) as session:
        update_metadata(session, target.version_id, {"status": PolicyStatus.AMENDED.value}, None)
    with pytest.raises(InvalidInput, match="text"), transaction(db.factory) as session:
        update_metadata(session, target.version_id, {"text": "改正文"}, None)
    with transaction(db.factory) as session:  # an officer may undo a wrong repeal
        assert update_metadata(session, target.version_id, {"status": "现行有效"}, None).status == "in_force"


def test_demo_documents_load_once_with_a_revision_and_a_repeal(db: Database) -> None:
    report = load_demo(db.factory)
    assert report.summary()["created"] == 6 and report.summary()["new_version"] == 1
    again = load_demo(db.factory)
    assert again.count("unchanged") == 7
    with reading(db.factory) as session:
        versions = session.scalars(select(PolicyVersion)).all()
        assert all("示例" in version.title for version in versions)
        by_name = {version.source_name[:2]: version for version in versions}
        assert by_name["01"].superseded_by_id == by_name["02"].id and not by_name["01"].is_current
        assert by_name["02"].is_current and by_name["02"].status == "in_force"
        assert by_name["04"].status == "repealed"
        assert by_name["07"].status == "expired"
        anchors = session.scalars(
            select(PolicyArticle.anchor).where(PolicyArticle.version_id == by_name["03"].id)
        ).all()
        assert "第十条" in anchors and "附件1" in anchors


def test_a_history_version_cannot_be_set_back_in_force(db: Database) -> None:
    first = _ingest(db, "2023.txt", RULES_2023)
    _ingest(db, "2025.txt", RULES_2025.replace("深龙府规〔2023〕2号", "深龙府规〔2025〕1号"))
    with pytest.raises(InvalidInput, match="历史版本不能设为现行有效"), transaction(db.factory) as session:
        update_metadata(session, first.version_id, {"status": "现行有效", "title": "改过的标题"}, None)
    with reading(db.factory) as session:
        old = session.get_one(PolicyVersion, first.version_id)
        assert (old.status, old.title, old.metadata_edited) == ("amended", RULES_2023.split("\n")[1], False)
    with transaction(db.factory) as session:  # other marks on a history version stay allowed
        assert update_metadata(session, first.version_id, {"status": "已废止"}, None).status == "repealed"


def test_an_edit_files_the_version_under_the_year_of_its_number_when_no_date_is_left(db: Database) -> None:
    result = _ingest(db, "措施.txt", RULES_2023)
    with transaction(db.factory) as session:
        version = update_metadata(
            session,
            result.version_id,
            {"written_on": "", "effective_on": "", "document_number": "深龙府规〔2021〕9号"},
            None,
        )
        assert version.year == 2021


def test_an_older_text_without_a_written_date_is_recognised_by_its_other_dates(db: Database) -> None:
    unsigned_2025 = RULES_2025.replace("\n深圳市龙岗区人民政府\n2025年2月10日", "")
    unsigned_2023 = RULES_2023.replace("\n深圳市龙岗区人民政府\n2023年3月15日", "")
    newer = _ingest(db, "2025.txt", unsigned_2025)
    older = _ingest(db, "2023.txt", unsigned_2023)  # dated by 施行日期 only
    assert older.outcome == "earlier_version"
    by_year = _ingest(db, "2019.txt", "深龙府规〔2023〕2号\n龙岗区示例扶持措施（示例文件，非真实文件）\n"
                      "第一条 旧文本，只有文号标明年份。")  # fmt: skip
    assert by_year.outcome == "earlier_version"
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, newer.version_id).is_current


def _demo(prefix: str) -> str:
    return next(data for name, data in demo_documents() if name.startswith(prefix)).decode("utf-8")


def test_a_document_reissued_under_a_new_number_after_its_repeal_stays_in_force(db: Database) -> None:
    old_rules, repealer_text = _demo("04"), _demo("05")
    reissued = (
        old_rules.replace("深龙人社规〔2019〕4号", "深龙人社规〔2026〕1号")
        .replace("2019年7月1日", "2026年3月1日")
        .replace("2019年6月20日", "2026年2月1日")
    )
    old = _ingest(db, "04.txt", old_rules)
    repealer = _ingest(db, "05.txt", repealer_text)
    revision = _ingest(db, "04_2026.txt", reissued)
    assert repealer.repealed_version_ids == (old.version_id,)
    assert revision.document_id == old.document_id and revision.outcome == "new_version"
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, revision.version_id).status == "in_force"
        assert session.get_one(PolicyVersion, old.version_id).status == "repealed"


def test_a_repeal_by_title_does_not_reach_a_later_reissue(db: Database) -> None:
    by_title = REPEALER.replace("（深龙府规〔2023〕2号）", "")
    _ingest(db, "决定.txt", by_title)
    reissued = _ingest(db, "2026.txt", RULES_2023.replace("2023年3月15日", "2026年1月5日")
                       .replace("深龙府规〔2023〕2号", "深龙府规〔2026〕1号"))  # fmt: skip
    older = _ingest(db, "2023.txt", RULES_2023.replace("深龙府规〔2023〕2号\n", ""))
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, reissued.version_id).status == "in_force"
        # The 2023 text, imported after the repealer, is history of the 2026 one.
        assert session.get_one(PolicyVersion, older.version_id).is_current is False


def test_an_undated_document_imported_after_a_repealer_is_repealed_only_by_its_number(db: Database) -> None:
    undated = "深圳市龙岗区示例办法（示例文件，非真实文件）\n第一条 没有日期的正文。"
    by_title = (
        "深龙府〔2025〕9号\n关于废止部分规范性文件的决定（示例文件，非真实文件）\n"
        "决定废止《深圳市龙岗区示例办法（示例文件，非真实文件）》。\n深圳市龙岗区人民政府\n2025年6月30日"
    )
    _ingest(db, "决定.txt", by_title)
    kept = _ingest(db, "办法.txt", undated)
    _ingest(db, "决定2.txt", REPEALER)
    late = _ingest(db, "措施.txt", RULES_2023.replace("\n深圳市龙岗区人民政府\n2023年3月15日", "")
                   .replace("第三条 本措施自2023年4月1日起施行。\n", ""))  # fmt: skip
    with reading(db.factory) as session:
        assert session.get_one(PolicyVersion, kept.version_id).status == "in_force"
        late_version = session.get_one(PolicyVersion, late.version_id)
        assert late_version.year == 2023  # by its 文号, so the dates tell: 2023 before 2025
        assert late_version.status == "repealed"


def test_a_concurrent_import_of_the_same_new_document_is_a_conflict(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.backend == "postgresql":
        _race_on_postgresql(db)
    else:
        # SQLite serialises writers, so the race cannot happen there: simulate the other import
        # being invisible when this one looks for the document.
        _ingest(db, "措施.txt", RULES_2023)
        monkeypatch.setattr(ingest_module, "find_document", lambda *_args: None)
        with pytest.raises(Conflict, match="同一文件正在被导入或已导入，请刷新后重试"):
            _ingest(db, "再次.txt", RULES_2023)
    assert _count(db, PolicyDocument) == _count(db, PolicyVersion) == 1


def _race_on_postgresql(db: Database) -> None:
    from sqlalchemy import text

    late = db.factory()
    try:
        # The late import's snapshot is taken before the first import commits: it does not see
        # the document, as a second request arriving at the same moment would not.
        late.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        late.execute(text("SELECT 1"))
        _ingest(db, "措施.txt", RULES_2023)
        with pytest.raises(Conflict, match="同一文件正在被导入或已导入"):
            ingest_file(late, "再次.txt", RULES_2023.encode("utf-8"))
    finally:
        late.rollback()
        late.close()
