from zhengshu.text.segment import segment, terms


def test_place_names_and_government_terms_stay_whole():
    words = terms("龙岗区布吉街道丽湖花园小区物业乱收停车费，业委会不作为！请问怎么办？")
    assert "布吉街道" in words
    assert "停车费" in words
    assert "业委会" in words


def test_terms_drop_punctuation_numbers_and_stopwords():
    words = terms("请问 2024 年的 社保卡 怎么办？！")
    assert "社保卡" in words
    assert "请问" not in words and "怎么办" not in words
    assert "2024" not in words
    assert all(word.strip() for word in words)


def test_segment_keeps_every_character_of_the_normalised_text():
    text = "ＡＢＣ公司拖欠工资３个月"
    assert "".join(segment(text)) == "ABC公司拖欠工资3个月"


def test_empty_text_has_no_terms():
    assert terms("") == []
    assert terms("，。！？   ") == []
