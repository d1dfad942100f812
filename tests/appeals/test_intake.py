from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.appeals.helpers import draft, submit

from zhengshu.appeals.drafts import OPEN311_CONTEXT, OPEN311_ONLY, AppealDraft
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.vocabulary import Channel
from zhengshu.appeals.workflow import Status
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import NotFound


def test_submit_assigns_readable_number_and_records_event(db):
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"))
        number = appeal.number
        assert len(number) == 11 and number.isdigit()
        assert appeal.status == Status.SUBMITTED
        assert appeal.appellant_phone_last4 == "5678"
        assert appeal.community is not None and appeal.community.street.name == "平湖街道"
        events = events_for(session, "appeal", appeal.id)
        assert [e.action for e in events] == ["appeal.submitted"]
    with transaction(db.factory) as session:
        second = submit(session)
        assert int(second.number[-5:]) == int(number[-5:]) + 1


def test_fenghuang_community_resolved_within_its_street(db):
    with transaction(db.factory) as session:
        pinghu = submit(session, street="平湖", community="凤凰")
        buji = submit(session, street="布吉街道", community="凤凰社区")
        assert pinghu.community_id != buji.community_id
        assert pinghu.community.street.name == "平湖街道"
        assert buji.community.street.name == "布吉街道"


def test_unknown_street_or_community_rejected(db):
    with transaction(db.factory) as session, pytest.raises(NotFound, match="街道"):
        submit(session, street="火星街道", community=None)
    with transaction(db.factory) as session, pytest.raises(NotFound, match="社区"):
        submit(session, street="坂田街道", community="凤凰社区")


def test_external_id_makes_intake_idempotent(db):
    with transaction(db.factory) as session:
        first, created = submit_appeal(session, draft(external_id="EXT-1"))
        assert created
    with transaction(db.factory) as session:
        again, created = submit_appeal(session, draft(external_id="EXT-1", title="另一个标题"))
        assert not created and again.id == first.id and again.title == first.title


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("appellant_phone", "1234", "电话号码无效"),
        ("appellant_id_number", "440307199002301234", "身份证号码无效"),
        ("title", "", "at least"),
    ],
)
def test_invalid_fields_rejected(field, value, message):
    with pytest.raises(ValidationError, match=message):
        draft(**{field: value})


def test_enterprise_appeal_needs_valid_credit_code():
    with pytest.raises(ValidationError, match="统一社会信用代码无效"):
        draft(is_enterprise=True, enterprise_name="某公司", enterprise_credit_code="91350100M000100Y44")
    ok = draft(is_enterprise=True, enterprise_name="某公司", enterprise_credit_code="91350100m000100y43")
    assert ok.enterprise_credit_code == "91350100M000100Y43"


@pytest.mark.parametrize("context", [None, {}, {"open311": "yes"}, {"open311": False}, "open311"])
def test_only_the_open311_context_allows_the_open311_channel(context):
    fields = draft().model_dump() | {"channel": "open311"}
    with pytest.raises(ValidationError, match=OPEN311_ONLY):
        AppealDraft.model_validate(fields, context=context)
    with pytest.raises(ValidationError, match=OPEN311_ONLY):
        AppealDraft(**fields)
    allowed = AppealDraft.model_validate(fields, context=OPEN311_CONTEXT)
    assert allowed.channel is Channel.OPEN311


def test_every_other_channel_needs_no_context():
    for channel in Channel:
        if channel is not Channel.OPEN311:
            assert draft(channel=channel.value).channel is channel
