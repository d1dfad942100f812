"""Similar appeals: the combined score and its reasons, the index kept current, who sees what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.appeals.helpers import submit
from tests.shared_data import SHARED_DATA

from zhengshu.appeals import handling, merging, similar
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.search_terms import search_terms
from zhengshu.bench.similar import run
from zhengshu.clock import now
from zhengshu.db import transaction

RULES = AppealRules.default()
NOISE_TITLE = "小区门口夜间施工噪音扰民"
NOISE_TEXT = "龙岗大道旁工地每晚十一点后仍在施工，噪音很大，影响休息，请尽快处理。"
OTHER_TOPICS = [
    ("孩子入学学位申请咨询", "想咨询今年小学一年级学位申请需要准备哪些材料，积分怎么计算。"),
    ("公交线路调整建议", "建议增加地铁站到工业园的公交接驳线路，早晚高峰等车时间太长。"),
    ("医保报销进度查询", "上个月住院的医保报销材料已经提交，至今没有到账，想查询进度。"),
]


@pytest.fixture(autouse=True)
def fresh_index(db):
    similar.forget(db.engine)
    yield
    similar.forget(db.engine)


def lookup(db, probe: similar.Probe, viewer=None) -> list[similar.Match]:
    with transaction(db.factory) as session:
        matches = similar.find_similar(session, probe, viewer=viewer)
        for match in matches:
            session.expunge(match.appeal)
        return matches


def others(db) -> None:
    with transaction(db.factory) as session:
        for i, (title, content) in enumerate(OTHER_TOPICS):
            submit(
                session,
                title=title,
                content=content,
                appellant_phone=f"1390000000{i}",
                street="布吉街道",
                community=None,
                address=None,
            )


def test_a_resubmission_comes_first_with_its_reasons_in_words(db):
    others(db)
    with transaction(db.factory) as session:
        original = submit(session, title=NOISE_TITLE, content=NOISE_TEXT)
        again = submit(
            session,
            title="夜间施工噪音扰民再次反映",
            content="再次反映：" + NOISE_TEXT[:-6],
            address="凤凰大道 88 号",
        )
        probe = similar.probe_of(again)
        original_number = original.number
    matches = lookup(db, probe)
    assert matches[0].appeal.number == original_number
    top = matches[0]
    assert top.reasons[:3] == ["同一社区", "同一诉求人", "3天内"]
    assert re.fullmatch(r"同一社区 · 同一诉求人 · 3天内 · 文本相似度0\.\d\d", top.explanation)
    assert 0.5 < top.text_similarity <= 1
    expected = 0.6 * top.text_similarity + 0.2 * 0.7 + 0.12 + 0.08
    assert top.score == pytest.approx(expected, abs=1e-3)
    # The appeal looked up is never its own match, and the unrelated ones score too low.
    assert [m.appeal.number for m in matches] == [original_number]


def test_the_same_address_outranks_the_same_community(db):
    with transaction(db.factory) as session:
        near = submit(
            session,
            title=NOISE_TITLE,
            content=NOISE_TEXT,
            address="凤凰大道99号",
            appellant_phone="13900000001",
        )
        same = submit(
            session,
            title=NOISE_TITLE,
            content=NOISE_TEXT,
            address="凤凰大道88号",
            appellant_phone="13900000002",
        )
        numbers = near.number, same.number
    probe = similar.Probe(
        text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), address="凤凰大道 88号", at=now()
    )
    matches = lookup(db, probe)
    assert [m.appeal.number for m in matches] == [numbers[1], numbers[0]]
    assert matches[0].reasons[0] == "同一地址"
    assert matches[1].reasons[0] == "3天内"  # no place given beyond the address: no place reason


def test_the_same_appellant_is_found_even_when_the_words_differ_little(db):
    with transaction(db.factory) as session:
        earlier = submit(session, title="工地噪音", content="工地晚上很吵", appellant_phone="13711112222")
        number = earlier.number
    probe = similar.Probe(
        text="施工扰民",
        phone="13711112222",
        street_id=earlier.street_id,
        community_id=earlier.community_id,
        address=earlier.address,
        at=now(),
    )
    matches = lookup(db, probe)
    assert [m.appeal.number for m in matches] == [number]
    assert matches[0].reasons == ["同一地址", "同一诉求人", "3天内", "文本相似度0.00"]


def test_an_unrelated_appeal_elsewhere_long_ago_is_not_listed(db):
    others(db)
    with transaction(db.factory) as session:
        old = submit(session, title=NOISE_TITLE, content=NOISE_TEXT)
        session.execute(
            update(Appeal).where(Appeal.id == old.id).values(created_at=now() - timedelta(days=20))
        )
    probe = similar.Probe(text="医保报销材料提交后没有到账", at=now())
    numbers = [m.appeal.number for m in lookup(db, probe)]
    assert old.number not in numbers


def test_the_index_follows_new_merged_and_long_closed_appeals(db):
    admin = db.user("admin")
    with transaction(db.factory) as session:
        main = submit(session, title=NOISE_TITLE, content=NOISE_TEXT)
        main_number = main.number
    probe = similar.Probe(text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), at=now())
    assert [m.appeal.number for m in lookup(db, probe)] == [main_number]  # builds the index
    with transaction(db.factory) as session:
        later = submit(session, title=NOISE_TITLE, content=NOISE_TEXT, appellant_phone="13600001111").number
    assert {m.appeal.number for m in lookup(db, probe)} == {main_number, later}
    with transaction(db.factory) as session:
        merging.merge(
            session, session.get_one(Appeal, _id(session, later)).id, admin, main_number=main_number
        )
    assert [m.appeal.number for m in lookup(db, probe)] == [main_number]  # merged: its main stands for it
    with transaction(db.factory) as session:
        index = similar.index_for(session)
        assert _id(session, later) not in index.index
        _close(session, _id(session, main_number), admin)
    assert [m.appeal.number for m in lookup(db, probe)] == [main_number]  # closed recently: still listed
    with transaction(db.factory) as session:
        moment = now() - timedelta(days=similar.RECENT_DAYS + 1)
        session.execute(
            update(Appeal).where(Appeal.number == main_number).values(closed_at=moment, updated_at=now())
        )
    assert lookup(db, probe) == []
    # Closures age out of the index even when nothing changes in the database.
    with transaction(db.factory) as session:
        fresh = submit(session, title=NOISE_TITLE, content=NOISE_TEXT, appellant_phone="13600002222")
        _close(session, fresh.id, admin)
        index = similar.index_for(session)
        assert fresh.id in index.index
        index.drop_aged(now() + timedelta(days=similar.RECENT_DAYS + 1))
        assert fresh.id not in index.index


def _id(session, number: str) -> int:
    return session.scalar(
        Appeal.__table__.select().with_only_columns(Appeal.id).where(Appeal.number == number)
    )


def _close(session, appeal_id: int, admin) -> None:
    handling.dispatch(session, appeal_id, admin, RULES, department_code="zjj")
    handling.accept(session, appeal_id, admin)
    handling.reply(session, appeal_id, admin, text="已责令夜间停工")
    handling.approve(session, appeal_id, admin)


def test_a_rebuilt_index_matches_the_database(db):
    with transaction(db.factory) as session:
        numbers = {
            submit(session, title=NOISE_TITLE, content=NOISE_TEXT, appellant_phone=f"1350000000{i}").number
            for i in range(3)
        }
    probe = similar.Probe(text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), at=now())
    assert {m.appeal.number for m in lookup(db, probe)} == numbers
    similar.forget(db.engine)
    assert {m.appeal.number for m in lookup(db, probe)} == numbers


def test_handlers_see_only_their_departments_appeals(db):
    admin = db.user("admin")
    with transaction(db.factory) as session:
        theirs = submit(session, title=NOISE_TITLE, content=NOISE_TEXT, appellant_phone="13500000001")
        handling.dispatch(session, theirs.id, admin, RULES, department_code="zjj")
        other = submit(session, title=NOISE_TITLE, content=NOISE_TEXT, appellant_phone="13500000002")
        handling.dispatch(session, other.id, admin, RULES, department_code="cgj")
        numbers = theirs.number, other.number
    probe = similar.Probe(text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), at=now())
    assert [m.appeal.number for m in lookup(db, probe, db.user("handler_zjj"))] == [numbers[0]]
    assert {m.appeal.number for m in lookup(db, probe, db.user("dispatcher"))} == set(numbers)


def test_personal_information_is_masked_unless_the_viewer_may_see_it(db):
    with transaction(db.factory) as session:
        submit(
            session, title=NOISE_TITLE, content=NOISE_TEXT + "联系电话13812345678", appellant_name="张小明"
        )
        probe = similar.Probe(
            text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), phone="13812345678", at=now()
        )
        matches = similar.find_similar(session, probe)
        seen = similar.present(matches, db.user("dispatcher"))[0]
        masked = similar.present(matches, db.user("leader"))[0]
    assert seen["appellant_phone"] == "13812345678" and seen["appellant_name"] == "张小明"
    assert masked["appellant_phone"] == "138****5678" and masked["appellant_name"] == "张**"
    assert "同一诉求人" in masked["reasons"]
    assert "13812345678" not in str(masked)


def test_an_intake_form_being_typed_is_a_probe(db):
    with transaction(db.factory) as session:
        appeal = submit(session, title=NOISE_TITLE, content=NOISE_TEXT)
        fields = {
            "street": appeal.street.code,
            "community": appeal.community.code,
            "appellant_phone": "138 1234 5678",
            "title": NOISE_TITLE,
            "content": "",
            "address": "",
        }
        probe = similar.probe_of_fields(session, fields)
        assert (probe.street_id, probe.community_id) == (appeal.street_id, appeal.community_id)
        assert probe.phone == "13812345678"
        unknown = similar.probe_of_fields(session, {"street": "不存在街道", "title": "x"})
        assert unknown.street_id is None and unknown.phone is None


DATA = SHARED_DATA


@pytest.mark.skipif(not (DATA / "appeals").is_dir(), reason="the shared real data is absent")
def test_the_bench_stores_real_texts_and_finds_resubmissions(db):
    result = run(appeals=400, lookups=40, data_dir=DATA, database_url=db.url, jobs=1)
    assert result["appeals"] == result["indexed"] == 400
    assert result["lookups"] == 40 and result["backend"] == db.backend
    assert result["recall_at_5"] >= 0.8  # lightly edited re-submissions among 400: found
    assert 0 < result["p50_ms"] <= result["p95_ms"]


# --- stored search terms and the warm-up --------------------------------------------------------


def _stored(db, number: str) -> tuple[str | None, object, int]:
    with transaction(db.factory) as session:
        row = session.execute(
            select(Appeal.search_terms, Appeal.updated_at, Appeal.version).where(Appeal.number == number)
        ).one()
    return row.search_terms, row.updated_at, row.version


def test_intake_stores_the_search_terms_the_index_reads(db):
    with transaction(db.factory) as session:
        number = submit(session, title=NOISE_TITLE, content=NOISE_TEXT).number
    stored, _, _ = _stored(db, number)
    assert stored == search_terms(NOISE_TITLE, NOISE_TEXT)
    assert "噪音" in stored.split() and "，" not in stored
    # The build reads the stored words, not the text: words put there are found, the text's are not.
    with transaction(db.factory) as session:
        session.execute(update(Appeal).where(Appeal.number == number).values(search_terms="医保 报销 到账"))
    similar.forget(db.engine)
    assert [m.appeal.number for m in lookup(db, similar.Probe(text="医保报销没有到账", at=now()))] == [number]
    assert lookup(db, similar.Probe(text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), at=now())) == []


def test_appeals_filed_before_the_terms_were_stored_are_segmented_once_and_written_back(db):
    with transaction(db.factory) as session:
        old = submit(session, title=NOISE_TITLE, content=NOISE_TEXT).number
        session.execute(update(Appeal.__table__).where(Appeal.number == old).values(search_terms=None))
    _, updated_at, version = _stored(db, old)
    probe = similar.Probe(text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), at=now())
    assert [m.appeal.number for m in lookup(db, probe)] == [old]  # segmented at build
    similar.index_of(db.engine).wait_stored(timeout=30)
    # Written back without touching the appeal's updated_at or version.
    assert _stored(db, old) == (search_terms(NOISE_TITLE, NOISE_TEXT), updated_at, version)


def test_the_warm_up_builds_in_the_background_and_a_lookup_meanwhile_waits_for_it(db):
    others(db)
    with transaction(db.factory) as session:
        number = submit(session, title=NOISE_TITLE, content=NOISE_TEXT).number
    thread = similar.warm_up(db.factory)
    probe = similar.Probe(text=similar.appeal_text(NOISE_TITLE, NOISE_TEXT), at=now())
    # Asked while the build may still run: the answer is the whole one, not a partial one.
    assert [m.appeal.number for m in lookup(db, probe)] == [number]
    thread.join(timeout=30)
    assert similar.index_of(db.engine).built and len(similar.index_of(db.engine)) == 4


def test_the_app_warms_the_index_at_start(db):
    from zhengshu.settings import Settings
    from zhengshu.web.app import create_app

    with transaction(db.factory) as session:
        submit(session, title=NOISE_TITLE, content=NOISE_TEXT)
    app = create_app(Settings(database_url=db.url, dev=True))
    index = similar.index_of(app.state.engine)
    assert not index.built
    with TestClient(app):
        assert index.wait_built() and len(index) == 1
