from zhengshu.text.shingles import char_bigrams, overlap


def test_pairs_of_letters_digits_and_cjk_only_after_normalising():
    assert char_bigrams("路灯，不亮！") == {"路灯", "灯不", "不亮"}
    assert char_bigrams("ＡＢ１") == char_bigrams("AB1") == {"AB", "B1"}
    assert char_bigrams("路") == frozenset()


def test_overlap_is_the_share_of_the_part_found_in_the_whole():
    lamp_out, lamp_broken = char_bigrams("凤凰大道路灯不亮"), char_bigrams("凤凰大道路灯坏了")
    assert 0.5 < overlap(lamp_out, lamp_broken) < 1
    assert overlap(lamp_out, lamp_out) == 1
    assert overlap(frozenset(), lamp_out) == 0
