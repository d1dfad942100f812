"""Classification services: model versions, training, suggestions, and automatic dispatch at intake.

One version is active at a time. At intake every new appeal is classified by the active model
(none active: nothing happens); what the model suggested is kept in appeal_classifications. When
the top category's confidence reaches the version's threshold (chosen on cross-validation for ≥ 97%
precision) and a department is routed for it, the appeal is dispatched through handling.dispatch by
the system dispatcher, audited as "系统自动分拨". Otherwise it waits in the dispatch queue and the
dispatcher sees the three likeliest categories with the words that drove them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.classification_models import AppealClassification, ClassifierModel
from zhengshu.appeals.classifier import ClassifierSettings, TextClassifier, label_at_level, train_classifier
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.routing import Routes, default_routes, load_routes
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.search_terms import appeal_text
from zhengshu.appeals.vocabulary import CATEGORIES
from zhengshu.appeals.workflow import Status
from zhengshu.clock import now
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import Department, User
from zhengshu.org.roles import Role
from zhengshu.org.services import departments as all_departments
from zhengshu.settings import Settings

__all__ = [
    "SYSTEM_DISPATCHER_LABEL",
    "Dispatching",
    "ClassifierSettings",
    "SuggestionView",
    "activate",
    "classify_filed",
    "configure",
    "configure_from_settings",
    "list_models",
    "model_summary",
    "read_training_csv",
    "suggest",
    "suggestion_panel",
    "train_from_appeals",
    "train_from_csv",
]

SYSTEM_DISPATCHER_LABEL = "系统自动分拨"
MAX_MODEL_BYTES = 100_000_000
_CACHED_MODELS = 3


@dataclass(frozen=True)
class Dispatching:
    """What automatic dispatch needs besides the database: deadline rules and the route table."""

    rules: AppealRules
    routes: Routes

    @classmethod
    def default(cls) -> Dispatching:
        return cls(AppealRules.default(), default_routes())


@dataclass(frozen=True)
class SuggestionView:
    label: str
    confidence: float
    department_code: str | None
    department_name: str | None
    words: tuple[str, ...]
    category_selectable: bool


# The app factory and the CLI configure each engine from settings; intake reads it from there, so
# every caller of file_appeals dispatches with the operator's deadlines and routes.
_configured: WeakKeyDictionary[Engine, Dispatching] = WeakKeyDictionary()
_models: OrderedDict[str, TextClassifier] = OrderedDict()
_models_lock = threading.Lock()


def configure(engine: Engine, dispatching: Dispatching) -> None:
    _configured[engine] = dispatching


def configure_from_settings(engine: Engine, settings: Settings) -> None:
    """Called by the app factory and the CLI; raises InvalidInput for an unreadable routes file."""
    configure(
        engine, Dispatching(AppealRules.from_settings(settings), load_routes(settings.category_routes_file))
    )


def dispatching_for(session: Session) -> Dispatching:
    bind = session.get_bind()
    found = _configured.get(bind) if isinstance(bind, Engine) else None
    return found or Dispatching.default()


def system_dispatcher() -> User:
    """The actor of automatic dispatch: a dispatcher that is nobody, never added to a session.

    handling.dispatch checks the role and audits the actor; this one is audited with no user id
    and the label "系统自动分拨"."""
    return User(id=None, username="system", display_name=SYSTEM_DISPATCHER_LABEL, role=Role.DISPATCHER.value)


# -- model versions -----------------------------------------------------------------------------


def active_version(session: Session) -> ClassifierModel | None:
    return session.scalar(select(ClassifierModel).where(ClassifierModel.is_active.is_(True)))


def load_classifier(session: Session, version: ClassifierModel) -> TextClassifier:
    """The version's classifier, from the process cache; versions never change once stored."""
    with _models_lock:
        cached = _models.get(version.digest)
        if cached is not None:
            _models.move_to_end(version.digest)
            return cached
    payload = session.scalar(select(ClassifierModel.payload).where(ClassifierModel.id == version.id))
    classifier = TextClassifier.from_bytes(payload or b"")
    with _models_lock:
        _models[version.digest] = classifier
        while len(_models) > _CACHED_MODELS:
            _models.popitem(last=False)
    return classifier


def list_models(session: Session) -> list[ClassifierModel]:
    return list(session.scalars(select(ClassifierModel).order_by(ClassifierModel.version.desc())))


def store_model(
    session: Session, classifier: TextClassifier, *, source: str, actor: User | None, activate_now: bool
) -> ClassifierModel:
    payload = classifier.to_bytes()
    if len(payload) > MAX_MODEL_BYTES:
        raise InvalidInput(f"模型过大（{len(payload) // 1_000_000} MB），上限 100 MB")
    evaluation = asdict(classifier.evaluation) if classifier.evaluation else {}
    version = (session.scalar(select(func.max(ClassifierModel.version))) or 0) + 1
    row = ClassifierModel(
        version=version,
        source=source[:200],
        examples=evaluation.get("examples", 0),
        labels=evaluation.get("labels", {}),
        evaluation=evaluation,
        macro_f1=evaluation.get("macro_f1"),
        threshold=classifier.threshold,
        size_bytes=len(payload),
        digest=hashlib.sha256(payload).hexdigest(),
        payload=payload,
        is_active=None,
        created_at=now(),
        created_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "classifier.trained",
        "classifier_model",
        row.id,
        actor_id=actor.id if actor else None,
        actor_label=actor.display_name if actor else "系统",
        data={"version": version, "source": row.source, "macro_f1": row.macro_f1, "threshold": row.threshold},
    )
    if activate_now:
        activate(session, version, actor)
    return row


def activate(session: Session, version: int, actor: User | None) -> ClassifierModel:
    row = session.scalar(select(ClassifierModel).where(ClassifierModel.version == version))
    if row is None:
        raise NotFound(f"模型版本 {version} 不存在")
    session.execute(update(ClassifierModel).where(ClassifierModel.is_active.is_(True)).values(is_active=None))
    session.flush()
    row.is_active = True
    row.activated_at = now()
    session.flush()
    audit.record(
        session,
        "classifier.activated",
        "classifier_model",
        row.id,
        actor_id=actor.id if actor else None,
        actor_label=actor.display_name if actor else "系统",
        data={"version": version},
    )
    return row


# -- training -----------------------------------------------------------------------------------


def read_training_csv(text: str, routes: Routes | None = None, level: int = 1) -> tuple[list[str], list[str]]:
    """Texts and labels of a `text,label` CSV; a clear message for wrong columns or rows.

    With routes, every label must be a category the route table knows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or {"text", "label"} - {name.strip() for name in reader.fieldnames}:
        found = "、".join(reader.fieldnames or []) or "无"
        raise InvalidInput(f"CSV 需要 text 和 label 两列（找到的列：{found}）")
    texts, labels = [], []
    for line, row in enumerate(reader, start=2):
        body = (row.get("text") or "").strip()
        label = (row.get("label") or "").strip()
        if not body:
            raise InvalidInput(f"第 {line} 行的文本为空")
        if not label:
            raise InvalidInput(f"第 {line} 行的分类为空")
        if routes is not None and not routes.knows(label_at_level(label, level)):
            raise InvalidInput(
                f"第 {line} 行的分类“{label}”未知：请使用分拨规则中的分类，"
                "或在 ZHENGSHU_CATEGORY_ROUTES_FILE 中添加"
            )
        texts.append(body)
        labels.append(label)
    if not texts:
        raise InvalidInput("CSV 中没有样本")
    return texts, labels


def train_from_csv(
    session: Session, text: str, *, source: str, actor: User | None, activate_now: bool = False
) -> ClassifierModel:
    texts, labels = read_training_csv(text, dispatching_for(session).routes)
    return store_model(
        session, train_classifier(texts, labels), source=source, actor=actor, activate_now=activate_now
    )


def closed_examples(session: Session) -> tuple[list[str], list[str]]:
    """Closed appeals with their final category: every dispatcher's correction is in it."""
    rows = session.execute(
        select(Appeal.title, Appeal.content, Appeal.category)
        .where(Appeal.status == Status.CLOSED.value, Appeal.category.is_not(None))
        .order_by(Appeal.id)
    ).tuples()
    texts, labels = [], []
    for title, content, category in rows:
        if category:
            texts.append(appeal_text(title, content))
            labels.append(category)
    return texts, labels


def train_from_appeals(
    session: Session, *, actor: User | None, activate_now: bool = False
) -> ClassifierModel:
    texts, labels = closed_examples(session)
    if not texts:
        raise InvalidInput("还没有已办结且有分类的诉求，无法训练")
    model = train_classifier(texts, labels)
    return store_model(
        session, model, source=f"已办结诉求 {len(texts)} 件", actor=actor, activate_now=activate_now
    )


# -- intake ---------------------------------------------------------------------------------------


def classify_filed(session: Session, appeal_ids: Sequence[int]) -> None:
    """Classify newly filed appeals with the active model; dispatch the confident, routed ones."""
    version = active_version(session) if appeal_ids else None
    if version is None:
        return
    classifier = load_classifier(session, version)
    appeals = list(session.scalars(select(Appeal).where(Appeal.id.in_(appeal_ids)).order_by(Appeal.id)))
    if not appeals:
        return
    dispatching = dispatching_for(session)
    departments = all_departments(session)
    probabilities = classifier.probabilities([appeal_text(a.title, a.content) for a in appeals])
    moment = now()
    confident: list[tuple[Appeal, str, float, Department]] = []
    events = []
    for appeal, row in zip(appeals, probabilities, strict=True):
        order = row.argsort()[::-1][:3]
        suggestions: list[dict[str, Any]] = []
        for i in order:
            label = classifier.labels[int(i)]
            department = dispatching.routes.department(label, appeal.street_id, departments)
            suggestions.append(
                {
                    "label": label,
                    "confidence": round(float(row[i]), 4),
                    "department": department.code if department else None,
                }
            )
        label, confidence = classifier.labels[int(order[0])], float(row[order[0]])
        lead = next((d for d in departments if d.code == suggestions[0]["department"]), None)
        automatic = classifier.is_confident(confidence) and lead is not None
        session.add(
            AppealClassification(
                appeal_id=appeal.id,
                model_id=version.id,
                category=label,
                confidence=confidence,
                suggestions=suggestions,
                auto_dispatched=automatic,
                classified_at=moment,
            )
        )
        events.append(
            (appeal.id, {"model": version.version, "category": label, "confidence": round(confidence, 4)})
        )
        if automatic and lead is not None:
            confident.append((appeal, label, confidence, lead))
    session.flush()
    audit.record_many(
        session,
        "appeal.classified",
        "appeal",
        events,
        actor_id=None,
        actor_labels=["系统（智能分类）"] * len(events),
        at=moment,
    )
    _dispatch_confident(session, confident, version, dispatching)


def _dispatch_confident(
    session: Session,
    confident: list[tuple[Appeal, str, float, Department]],
    version: ClassifierModel,
    dispatching: Dispatching,
) -> None:
    # Imported here: handling imports intake, which calls this module.
    from zhengshu.appeals.handling import dispatch

    actor = system_dispatcher()
    for appeal, label, confidence, lead in confident:
        note = (
            f"智能分类“{label}”，置信度 {confidence:.1%}，不低于模型 v{version.version} 的自动分拨阈值 "
            f"{(version.threshold or 0):.1%}"
        )
        dispatch(
            session,
            appeal.id,
            actor,
            dispatching.rules,
            department_code=lead.code,
            category=label if label in CATEGORIES else None,
            note=note,
        )


# -- the dispatcher's view ------------------------------------------------------------------------


def suggest(session: Session, appeal: Appeal) -> list[SuggestionView]:
    """The three likeliest categories with confidence, department and the words that drove them.

    From what the model suggested at intake when it did, else from the active model now."""
    stored = session.get(AppealClassification, appeal.id)
    version = session.get(ClassifierModel, stored.model_id) if stored else active_version(session)
    if version is None:
        return []
    classifier = load_classifier(session, version)
    text = appeal_text(appeal.title, appeal.content)
    departments = all_departments(session)
    routes = dispatching_for(session).routes
    live = classifier.suggest(text, count=3)
    words = {s.label: s.words for s in live}
    pairs: list[tuple[str, float]] = (
        [(s["label"], float(s["confidence"])) for s in stored.suggestions]
        if stored
        else [(s.label, s.confidence) for s in live]
    )
    views = []
    for label, confidence in pairs:
        department = routes.department(label, appeal.street_id, departments)
        explanation = words.get(label)
        if explanation is None:
            explanation = (
                classifier.explain(text, classifier.labels.index(label)) if label in classifier.labels else ()
            )
        views.append(
            SuggestionView(
                label=label,
                confidence=confidence,
                department_code=department.code if department else None,
                department_name=department.name if department else None,
                words=explanation,
                category_selectable=label in CATEGORIES,
            )
        )
    return views


def suggestion_panel(
    session: Session, appeal: Appeal, *, only_automatic: bool = False
) -> dict[str, Any] | None:
    """What the appeal page shows: the version, its threshold, whether it dispatched, the suggestions."""
    stored = session.get(AppealClassification, appeal.id)
    if only_automatic and not (stored and stored.auto_dispatched):
        return None
    version = session.get(ClassifierModel, stored.model_id) if stored else active_version(session)
    items = suggest(session, appeal) if version is not None else []
    if version is None or not items:
        return None
    return {
        "version": version.version,
        "threshold": version.threshold,
        "auto": bool(stored and stored.auto_dispatched),
        "suggestions": items,
    }


def model_summary(row: ClassifierModel) -> dict[str, Any]:
    """A version's figures for lists (CLI and pages)."""
    evaluation = row.evaluation or {}
    return {
        "version": row.version,
        "active": bool(row.is_active),
        "source": row.source,
        "examples": row.examples,
        "labels": len(row.labels or {}),
        "macro_f1": row.macro_f1,
        "accuracy": evaluation.get("accuracy"),
        "threshold": row.threshold,
        "auto_dispatch_share": evaluation.get("auto_dispatch_share"),
        "auto_dispatch_precision": evaluation.get("auto_dispatch_precision"),
        "size_bytes": row.size_bytes,
        "created_at": row.created_at.isoformat(timespec="seconds"),
    }
