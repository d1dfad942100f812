"""The dispatcher's classification suggestions on the appeal page."""

from __future__ import annotations

import re

import pytest
from tests.appeals.helpers import submit
from tests.appeals.test_classifier import samples
from tests.pages.helpers import action_form, login

from zhengshu.appeals import classification
from zhengshu.appeals.classifier import ClassifierSettings, TextClassifier, train_classifier
from zhengshu.db import transaction

WAGES = {"title": "公司拖欠工资", "content": "我们公司已经三个月没发工资，也不缴纳社保，请尽快处理。"}


@pytest.fixture(scope="module")
def trained() -> TextClassifier:
    texts, labels = samples()
    return train_classifier(texts, labels, ClassifierSettings(folds=3))


def filed_with_model(db, trained: TextClassifier, threshold: float) -> str:
    model = TextClassifier.from_bytes(trained.to_bytes())
    model.threshold = threshold
    with transaction(db.factory) as session:
        classification.store_model(session, model, source="测试", actor=None, activate_now=True)
        return submit(session, db.user("operator"), category=None, **WAGES).number


def panel(html: str) -> str:
    match = re.search(r'<section class="panel" id="dispatch-suggestions".*?</section>', html, re.S)
    assert match, "no suggestions panel"
    return match.group(0)


def test_dispatcher_sees_three_suggestions_with_confidence_department_and_words(client, db, trained):
    number = filed_with_model(db, trained, 1.01)
    login(client, "dispatcher")
    html = client.get(f"/appeals/{number}").text
    shown = panel(html)
    assert shown.count("<li>") == 3
    assert "劳动和社会保障" in shown and "区人力资源局" in shown
    assert re.search(r"\d+\.\d%", shown)
    assert "依据词语" in shown and ("工资" in shown or "社保" in shown)
    assert f"/appeals/{number}?suggestion=1#action-dispatch" in shown


def test_picking_a_suggestion_prefills_the_dispatch_form(client, db, trained):
    number = filed_with_model(db, trained, 1.01)
    login(client, "dispatcher")
    form = action_form(client.get(f"/appeals/{number}?suggestion=1").text, "dispatch")
    assert re.search(r'<option value="rlj"\s+selected>', form)


def test_no_panel_without_a_model(client, db):
    with transaction(db.factory) as session:
        number = submit(session, db.user("operator"), **WAGES).number
    login(client, "dispatcher")
    assert 'id="dispatch-suggestions"' not in client.get(f"/appeals/{number}").text


def test_an_automatic_dispatch_shows_why_to_the_handler(client, db, trained):
    number = filed_with_model(db, trained, 0.0)
    with transaction(db.factory) as session:
        from zhengshu.appeals.queries import by_number

        appeal = by_number(session, number)
        assert appeal is not None and appeal.lead_department is not None
        assert appeal.lead_department.code == "rlj"
    login(client, "dispatcher")
    html = client.get(f"/appeals/{number}").text
    assert "系统自动分拨" in html
    assert "本件已自动分拨" in panel(html)
