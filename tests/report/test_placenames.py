"""County names in pinyin for English slides (edubalance.report.placenames)."""
import pytest

from edubalance.report.placenames import county_label, county_labels, romanize


@pytest.mark.parametrize(("name", "full", "short"), [
    ("大武口区", "Dawukou Qu (大武口区)", "Dawukou"),
    ("灵武市", "Lingwu Shi (灵武市)", "Lingwu"),
    ("中宁县", "Zhongning Xian (中宁县)", "Zhongning"),
    ("沙坡头区", "Shapotou Qu (沙坡头区)", "Shapotou"),
    ("红寺堡区", "Hongsibao Qu (红寺堡区)", "Hongsibao"),
    ("青铜峡市", "Qingtongxia Shi (青铜峡市)", "Qingtongxia"),
    ("西安市", "Xi'an Shi (西安市)", "Xi'an"),
    ("峨边彝族自治县", "Ebianyizu Zizhixian (峨边彝族自治县)", "Ebianyizu"),
])
def test_english_labels_are_pinyin_with_the_chinese_name(name, full, short):
    assert county_label(name, "en") == full
    assert county_label(name, "en", short=True) == short
    assert county_label(name, "zh") == name == county_label(name)


def test_names_without_chinese_and_mixed_names():
    assert county_label("Demo County", "en") == "Demo County"
    assert county_label('<img src=x>县', "en") == "<img src=x> Xian (<img src=x>县)"
    assert romanize("吕梁") == "Lüliang"
    assert county_labels(["灵武市", "盐池县", "灵武市"], "en", short=True) == \
        ["Lingwu", "Yanchi", "Lingwu"]
    assert county_labels(["灵武市"], "zh") == ["灵武市"] and county_labels([], "en") == []


def test_every_sample_county_gets_a_distinct_short_name(sample_dir):
    import pandas as pd

    names = pd.read_csv(sample_dir / "counties.csv", usecols=["county_name"])["county_name"].unique()
    shown = county_labels(names, "en", short=True)
    assert len(set(shown)) == len(names) and all(s.isascii() for s in shown)
