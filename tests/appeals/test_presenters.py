"""Presenting an appeal: free text is masked, the appellant's name included, for viewers without
the permission to see personal information, and shown as written to those with it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.appeals.helpers import submit

from zhengshu.appeals.drafts import ANONYMOUS
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import appeal_detail, free_text
from zhengshu.db import transaction

TITLE = "王小明反映夜间施工噪音"
CONTENT = "我是王小明，电话13912345678，身份证110101199003078515。工地每晚施工，请联系王小明本人。"
REPLY = "已责令工地夜间停工，并已电话13912345678告知王小明。"


def _appeal(session: Session) -> Appeal:
    appeal = submit(session, title=TITLE, content=CONTENT, appellant_name="王小明", address="王小明家楼下")
    appeal.reply = REPLY
    return appeal


@pytest.mark.parametrize("viewer", ["leader", None])
def test_viewers_without_the_permission_see_name_and_numbers_masked(db, viewer):
    user = db.user(viewer) if viewer else None
    with transaction(db.factory) as session:
        detail = appeal_detail(_appeal(session), user)
    assert detail["title"] == "王**反映夜间施工噪音"
    assert detail["content"] == (
        "我是王**，电话139****5678，身份证110101********8515。工地每晚施工，请联系王**本人。"
    )
    assert detail["reply"] == "已责令工地夜间停工，并已电话139****5678告知王**。"
    assert detail["address"] == "王**家楼下"
    assert detail["appellant"]["name"] == "王**"
    assert "王小明" not in str(detail) and "13912345678" not in str(detail)


@pytest.mark.parametrize("viewer", ["operator", "reviewer"])
def test_viewers_with_the_permission_see_the_text_as_written(db, viewer):
    with transaction(db.factory) as session:
        detail = appeal_detail(_appeal(session), db.user(viewer))
    assert (detail["title"], detail["content"], detail["reply"]) == (TITLE, CONTENT, REPLY)
    assert detail["appellant"]["name"] == "王小明"


def test_names_that_would_mask_too_much_are_left_alone(db):
    with transaction(db.factory) as session:
        one_character = submit(session, appellant_name="王", content="王经理说王家的工地夜间施工。")
        anonymous = submit(session, appellant_name=ANONYMOUS, content=f"{ANONYMOUS}反映工地夜间施工。")
        latin = submit(session, appellant_name="Ada Lovelace", content="Ada Lovelace reports noise.")
        assert free_text(one_character.content, one_character, None) == "王经理说王家的工地夜间施工。"
        assert free_text(anonymous.content, anonymous, None) == f"{ANONYMOUS}反映工地夜间施工。"
        assert free_text(latin.content, latin, None) == "A*********** reports noise."
        assert free_text(None, latin, None) is None
