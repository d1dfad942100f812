"""Classification services: model versions, training from CSV and closed appeals, suggestions,
and automatic dispatch at intake."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from tests.appeals.helpers import submit
from tests.appeals.test_classifier import samples

from zhengshu.appeals import classification
from zhengshu.appeals.classification_models import AppealClassification, ClassifierModel
from zhengshu.appeals.classifier import ClassifierSettings, TextClassifier, train_classifier
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.routing import STREET_OFFICE, default_routes, load_routes, parse_routes
from zhengshu.appeals.workflow import Status
from zhengshu.audit import AuditEvent, events_for
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput, NotFound

WAGES = {"title": "公司拖欠工资", "content": "我们公司已经三个月没发工资，也不缴纳社保，请尽快处理。"}
STREET = {"title": "社区工作站办事排队太久", "content": "街道便民服务中心经常没人，网格员也从不上门。"}


@pytest.fixture(scope="module")
def trained() -> TextClassifier:
    texts, labels = samples()
    return train_classifier(texts, labels, ClassifierSettings(folds=3))


def store(db, trained: TextClassifier, threshold: float | None, *, activate: bool = True) -> ClassifierModel:
    model = TextClassifier.from_bytes(trained.to_bytes())
    model.threshold = threshold
    with transaction(db.factory) as session:
        row = classification.store_model(
            session, model, source="测试", actor=db.user("admin"), activate_now=activate
        )
        session.expunge(row)
    return row


def test_without_an_active_model_intake_changes_nothing(db, trained):
    store(db, trained, 0.0, activate=False)
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), **WAGES)
        assert appeal.status == Status.SUBMITTED.value
        assert session.get(AppealClassification, appeal.id) is None
        assert classification.suggest(session, appeal) == []


def test_confident_appeal_is_dispatched_by_the_system_and_audited_as_such(db, trained):
    store(db, trained, 0.0)
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), **WAGES)
        assert appeal.status == Status.DISPATCHED.value
        assert appeal.lead_department is not None and appeal.lead_department.code == "rlj"
        assert appeal.category == "劳动和社会保障"
        assert appeal.due_at is not None
        stored = session.get_one(AppealClassification, appeal.id)
        assert stored.auto_dispatched and stored.category == "劳动和社会保障"
        events = {e.action: e for e in events_for(session, "appeal", appeal.id)}
        dispatched = events["appeal.dispatched"]
        assert dispatched.actor_label == classification.SYSTEM_DISPATCHER_LABEL
        assert dispatched.actor_id is None
        assert "置信度" in dispatched.data["note"]
        assert events["appeal.classified"].data["category"] == "劳动和社会保障"


def test_below_the_threshold_the_appeal_waits_with_three_suggestions(db, trained):
    store(db, trained, 1.01)
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), **WAGES)
        assert appeal.status == Status.SUBMITTED.value
        stored = session.get_one(AppealClassification, appeal.id)
        assert not stored.auto_dispatched
        assert [s["label"] for s in stored.suggestions][0] == "劳动和社会保障"
        views = classification.suggest(session, appeal)
        assert len(views) == 3
        top = views[0]
        assert top.label == "劳动和社会保障" and top.department_code == "rlj" and top.department_name
        assert {"工资", "社保"} & set(top.words)
        assert views[0].confidence >= views[1].confidence >= views[2].confidence


def test_street_matters_go_to_the_office_of_the_appeals_street(db, trained):
    store(db, trained, 0.0)
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), street="平湖街道", community="凤凰社区", **STREET)
        assert appeal.lead_department is not None
        assert appeal.lead_department.code == "jd003" and appeal.lead_department.kind == "street"


def test_street_matter_without_a_street_stays_in_the_queue(db, trained):
    store(db, trained, 0.0)
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"), street=None, community=None, address=None, **STREET)
        assert appeal.status == Status.SUBMITTED.value
        assert session.get_one(AppealClassification, appeal.id).category == "街道事务"


def test_batch_intake_classifies_every_new_appeal(db, trained):
    from tests.appeals.helpers import draft

    from zhengshu.appeals.intake import file_appeals

    store(db, trained, 1.01)
    with transaction(db.factory) as session:
        filed = file_appeals(session, [draft(**WAGES), draft(**STREET)], actor=db.user("operator"))
        rows = session.scalars(
            select(AppealClassification).where(AppealClassification.appeal_id.in_([f.id for f in filed]))
        ).all()
        assert sorted(r.category for r in rows) == ["劳动和社会保障", "街道事务"]


def test_one_active_version_at_a_time_and_activation_is_audited(db, trained):
    first = store(db, trained, 0.9)
    second = store(db, trained, 0.9, activate=False)
    assert second.version == first.version + 1
    with transaction(db.factory) as session:
        classification.activate(session, second.version, db.user("admin"))
    with transaction(db.factory) as session:
        active = session.scalars(select(ClassifierModel).where(ClassifierModel.is_active.is_(True))).all()
        assert [m.version for m in active] == [second.version]
        listed = [classification.model_summary(m) for m in classification.list_models(session)]
        assert [m["version"] for m in listed] == [second.version, first.version]
        assert listed[0]["active"] and not listed[1]["active"]
        assert listed[0]["macro_f1"] is not None
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_type == "classifier_model")
        )
        assert "classifier.activated" in set(actions)
    with transaction(db.factory) as session, pytest.raises(NotFound, match="不存在"):
        classification.activate(session, 999, None)


def test_train_from_csv_keeps_figures_and_threshold(db):
    texts, labels = samples()
    rows = "\n".join(f"{t},{lab}" for t, lab in zip(texts, labels, strict=True))
    with transaction(db.factory) as session:
        row = classification.train_from_csv(session, f"text,label\n{rows}\n", source="样本.csv", actor=None)
        assert row.examples == len(texts) and row.is_active is None
        assert set(row.labels) == {"劳动和社会保障", "教育文体", "交通运输", "街道事务"}
        assert row.evaluation["folds"] >= 2 and row.macro_f1 is not None
        assert 0 < row.size_bytes < 100_000_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("内容,分类\n工资,劳动和社会保障\n", "需要 text 和 label 两列"),
        ("text,label\n工资拖欠,\n", "第 2 行的分类为空"),
        ("text,label\n,劳动和社会保障\n", "第 2 行的文本为空"),
        ("text,label\n工资拖欠,火星事务\n", "第 2 行的分类“火星事务”未知"),
        ("text,label\n", "没有样本"),
    ],
)
def test_bad_training_csv_gets_a_chinese_message(db, text, message):
    with transaction(db.factory) as session, pytest.raises(InvalidInput, match=message):
        classification.train_from_csv(session, text, source="bad.csv", actor=None)


def test_train_from_closed_appeals_uses_their_final_category(db):
    texts, labels = samples()
    with transaction(db.factory) as session:
        for text in texts:
            submit(session, db.user("operator"), title=text[:20], content=text, category=None)
        appeals = session.scalars(select(Appeal).order_by(Appeal.id)).all()
        for appeal, label in zip(appeals, labels, strict=True):
            # A dispatcher's final choice, as closing the appeal leaves it.
            session.execute(
                update(Appeal)
                .where(Appeal.id == appeal.id)
                .values(category=label, status=Status.CLOSED.value, version=Appeal.version + 1)
            )
    with transaction(db.factory) as session:
        row = classification.train_from_appeals(session, actor=db.user("admin"), activate_now=True)
        assert row.examples == len(texts) and row.is_active
        assert "已办结诉求" in row.source


def test_train_from_appeals_without_closed_ones_says_so(db):
    with transaction(db.factory) as session, pytest.raises(InvalidInput, match="还没有已办结"):
        classification.train_from_appeals(session, actor=None)


def test_routes_default_operator_file_and_paths(tmp_path):
    routes = default_routes()
    assert routes.target("劳动和社会保障") == "rlj"
    assert routes.target("街道事务") == STREET_OFFICE
    assert routes.target("城乡建设/安全生产/事故处理") == "zjj"
    assert routes.target("纪检监察") is None and routes.knows("纪检监察")
    assert not routes.knows("火星事务")
    path = tmp_path / "routes.csv"
    path.write_text("category,department_code\n城乡建设/安全生产,yjj\n纪检监察,sfj\n", encoding="utf-8")
    custom = load_routes(path)
    assert custom.target("城乡建设/安全生产/事故处理") == "yjj"
    assert custom.target("城乡建设/其他") == "zjj"
    assert custom.target("纪检监察") == "sfj"


def test_routes_file_with_wrong_columns_is_refused():
    with pytest.raises(InvalidInput, match="category,department_code"):
        parse_routes("分类,部门\n城乡建设,zjj\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("内容,分类\n工资,劳动和社会保障\n", "需要 text 和 label 两列"),
        ("text,label\n工资拖欠,\n", "分类为空"),
    ],
)
def test_bench_classify_refuses_a_bad_csv_without_a_traceback(tmp_path, content, message):
    from typer.testing import CliRunner

    from zhengshu.cli import app

    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(app, ["bench", "classify", "--train", str(bad), "--test", str(bad)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_bench_classify_prints_one_json_line(tmp_path):
    import json

    from typer.testing import CliRunner

    from zhengshu.cli import app

    texts, labels = samples()
    path = tmp_path / "samples.csv"
    path.write_text("text,label\n" + "".join(f"{t},{lab}\n" for t, lab in zip(texts, labels, strict=True)))
    result = CliRunner().invoke(app, ["bench", "classify", "--train", str(path), "--test", str(path)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip())
    for key in ("macro_f1", "accuracy", "train_seconds", "predict_per_second", "auto_dispatch_share"):
        assert key in figures
    assert figures["round_trip_equal"] is True
