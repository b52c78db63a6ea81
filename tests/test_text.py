"""Keyword normal forms, plural folding, and how counts, prices and changes are worded."""


from kwtrack.words import match_words, normalise_keyword, singular


def test_normalise_folds_case_width_hyphens_and_spaces():
    assert normalise_keyword("  Men's  Running-Shoes ") == "men's running shoes"
    assert normalise_keyword("ＡＢＣ　Shoes") == "abc shoes"  # full-width letters and space
    assert normalise_keyword("T—Shirt") == "t shirt"
    assert normalise_keyword("运动鞋") == "运动鞋"


def test_singular_folds_simple_plurals_only():
    assert [singular(w) for w in ["chairs", "boxes", "bodies", "shoes", "watches"]] == [
        "chair", "box", "body", "shoe", "watch"]
    assert [singular(w) for w in ["dress", "bus", "tennis", "mat", "glass"]] == [
        "dress", "bus", "tennis", "mat", "glass"]


def test_match_words_are_whole_words():
    assert match_words("Camping Chairs") == ("camping", "chair")
    assert "mat" not in match_words("memory foam mattress")


def test_counts_prices_and_changes_are_worded_for_people():
    from kwtrack.wording import counted, price, step

    assert (counted(1, "keyword"), counted(1052, "keyword")) == ("1 keyword", "1,052 keywords")
    assert (price(3.5), price(None), price(12000)) == ("3.50", "-", "12,000.00")
    assert step(3.5, 3.2, price) == "3.50 → 3.20"
    assert step(None, 3.5, price) == "3.50"  # a first record: the value alone
    assert step("active", "active") == "active" and step("active", None) == "active → -"
    assert step(None, None) == "-"
