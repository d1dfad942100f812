from zhengshu.text.segment import is_dictionary_word
from zhengshu.text.shingles import char_pairs
from zhengshu.text.sounds import sound_of


def test_words_of_one_sound_share_their_key_whatever_the_tone():
    assert sound_of("认正") == sound_of("认证") == "ren zheng"
    assert sound_of("签注") == sound_of("前注")
    assert sound_of("签证") != sound_of("签注")
    assert sound_of("C1驾照") == "C1 jia zhao"


def test_the_dictionary_knows_real_words_not_typing_mistakes():
    assert is_dictionary_word("认证") and is_dictionary_word("知道")
    assert not is_dictionary_word("认正") and not is_dictionary_word("普通化")


def test_character_pairs_keep_repeats_and_stop_at_punctuation():
    assert char_pairs("补领，补领") == ["补领", "补领"]
    assert char_pairs("ＡＢ 驾照") == ["AB", "驾照"]  # full width folded
