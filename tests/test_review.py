"""The weekly keyword review, P4P bids, promotion hours and the hot-title guard, on weekly
stats built so that known words land in each section (and not where a rule excludes them)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from kwtrack.bids import (
    apply_proposals,
    bid_history,
    review_proposals,
    schedule_check,
    set_bid,
    set_plan,
)
from kwtrack.cli import cli
from kwtrack.config import load_config
from kwtrack.errors import KwtrackError
from kwtrack.history import undo_last
from kwtrack.imports import import_file
from kwtrack.review import (
    TITLES,
    csv_rows,
    mark_item,
    markdown,
    parse_week,
    set_tracked,
    week_name,
    week_spend,
    weekly_review,
)
from kwtrack.store.models import Bid, Keyword

from .conftest import write_csv
from .test_import import dump

WEEKS = ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]  # W44 … W47, this week last
THIS = dt.date(2026, 11, 16)

# word: channel → [figures per week as (impressions, clicks, inquiries, spend) or None]
STATS = {
    "steady": {"p4p": [(900, 50, 5, 60.0), (900, 52, 5, 60.0), (900, 51, 5, 60.0),
                       (900, 50, 5, 60.0)]},
    "lowrate": {"p4p": [(900, 50, 0, 40.0), (900, 50, 0, 40.0), (900, 50, 0, 40.0),
                        (900, 50, 0, 40.0)]},
    "thin": {"p4p": [(90, 5, 1, 3.0), (90, 5, 1, 3.0), (90, 5, 1, 3.0), (90, 5, 1, 3.0)]},
    "riser": {"organic": [(100, 5, 0, None), (100, 5, 0, None), (100, 5, 0, None),
                          (400, 20, 0, None)]},
    "tiny": {"organic": [(2, 0, 0, None), (2, 0, 0, None), (2, 0, 0, None), (40, 1, 0, None)]},
    "newbie": {"organic": [None, None, None, (200, 4, 0, None)]},
    "gap": {"organic": [(500, 9, 0, None), (500, 9, 0, None), None, (300, 5, 0, None)]},
    "sleepy": {"organic": [(300, 9, 0, None), (300, 9, 0, None), (300, 9, 0, None),
                           (5, 0, 0, None)]},
    "asker": {"organic": [(50, 5, 0, None), (50, 5, 0, None), (50, 5, 0, None),
                          (50, 5, 3, None)]},
}


@pytest.fixture
def weekly(store, tmp_path):
    rows = ["keyword,week,channel,impressions,clicks,inquiries,spend"]
    for word, channels in STATS.items():
        for channel, weeks in channels.items():
            for week, figures in zip(WEEKS, weeks, strict=True):
                if figures is not None:
                    rows.append(f"{word},{week},{channel},"
                                + ",".join("" if v is None else str(v) for v in figures))
    import_file(store, "keyword-stats", write_csv(tmp_path / "ks.csv", "\n".join(rows) + "\n"))
    import_file(store, "keywords", write_csv(tmp_path / "k.csv", "keyword,group\nsleepy,core\n"))
    import_file(store, "p4p", write_csv(tmp_path / "b.csv", (
        "keyword,status,bid\nsteady,active,2.00\nlowrate,active,3.00\nthin,active,1.00\n")))
    # (the imported bids are first records, not changes: no cooldown holds them back)
    return store


def section(review, name):
    return [i.keyword or i.product_id for i in review.sections[name]]


def test_p4p_figures_are_named_as_such_and_an_unknown_one_is_not_summed_as_zero(weekly,
                                                                               tmp_path):
    """A P4P section's clicks are the P4P clicks: named `p4p_clicks`, so that the one-table
    CSV's `clicks` column holds a word's total clicks alone (a spreadsheet sums it). A cut
    word's clicks over the cut window are unknown when a week's are, not that week as 0."""
    import_file(weekly, "keyword-stats", write_csv(tmp_path / "more.csv", f"""
        keyword,week,channel,impressions,clicks,inquiries,spend
        both,{WEEKS[-1]},organic,1000,40,2,
        both,{WEEKS[-1]},p4p,500,10,1,30
        blind,{WEEKS[-2]},p4p,900,,0,40
        blind,{WEEKS[-1]},p4p,900,50,0,40
    """))
    import_file(weekly, "p4p", write_csv(tmp_path / "bid.csv", "keyword,bid\nblind,2\n"))
    review = weekly_review(weekly, THIS)
    spend = {i.keyword: i.figures for i in review.sections["top_spend"]}
    assert (spend["both"]["p4p_clicks"], spend["both"]["p4p_inquiries"]) == (10, 1)
    assert "clicks" not in spend["both"] and spend["both"]["cpc"] == 3.0
    traffic = {i.keyword: i.figures for i in review.sections["top_traffic"]}
    assert (traffic["both"]["clicks"], traffic["both"]["p4p_clicks"]) == (50, 10)
    header, rows = csv_rows(review)
    paid = next(r for r in rows if r[1] == "top_spend" and r[2] == "both")
    assert (paid[header.index("clicks")], paid[header.index("p4p_clicks")]) == (None, 10)
    cut = {i.keyword: i.figures for i in review.sections["cut"]}
    assert cut["blind"]["spend"] == 80.0 and cut["blind"]["p4p_clicks"] is None
    assert cut["lowrate"]["p4p_clicks"] == 100
    assert "| bid | spend | P4P clicks | P4P inquiries | why |" in markdown(review)


def test_iso_weeks():
    assert parse_week("2026-W47") == THIS == parse_week("2026-11-19") == parse_week("2026W47")
    assert week_name(THIS) == "2026-W47" and parse_week("2026-W01") == dt.date(2025, 12, 29)
    with pytest.raises(KwtrackError, match="not a week"):
        parse_week("2026-W99")
    for far in ("9999-W52", "0001-01-01"):  # (a snooze of weeks from 9999 overflowed)
        with pytest.raises(KwtrackError, match=r"out of range \(2000-W01..2099-W52\)"):
            parse_week(far)


def test_each_word_lands_in_its_sections_and_not_elsewhere(weekly):
    review = weekly_review(weekly)
    assert review.week == THIS  # the latest week with keyword stats
    assert section(review, "top_traffic")[:2] == ["lowrate", "steady"]
    assert section(review, "top_spend") == ["steady", "lowrate", "thin"]
    assert section(review, "new") == ["newbie"]
    assert section(review, "rising") == ["riser"]  # tiny grew more, but from too small a base
    assert set(section(review, "p4p_candidates")) == {"riser", "asker"}
    assert section(review, "raise_bid") == ["steady"]  # lowrate converts below the median,
    assert section(review, "cut") == ["lowrate"]  # thin has too few clicks to say anything
    moves = {i.keyword: i.why for i in review.sections["key_group"]}
    assert "gone quiet" in moves["sleepy"] and "move into the key group" in moves["riser"]
    rising = review.sections["rising"][0].figures
    assert rising["growth"] == 3.0 and rising["trend"] == "+300%"


def test_a_word_missing_from_a_weeks_report_is_unknown_not_down_100_percent(weekly):
    review = weekly_review(weekly)
    gap = next(i for i in review.sections["top_traffic"] if i.keyword == "gap")
    assert gap.figures["impressions_change"] is None
    earlier = weekly_review(weekly, parse_week("2026-W46"))  # gap's missing week
    assert "gap" not in section(earlier, "top_traffic")


def test_a_total_the_report_left_unknown_is_unknown_not_zero(store, tmp_path):
    """The keyword advisor's `曝光量 --` beside P4P figures of 0: the word's exposure that
    week is unknown, so a key-group word is not "gone quiet" (−100%) on it; its P4P part
    stays as the report says it. The same for daily rows of one channel, one day unknown."""
    from kwtrack.store.models import KeywordWeek

    import_file(store, "keywords", write_csv(tmp_path / "k.csv",
                                             "keyword,group\nsneakers,core\nboots,core\n"))
    for monday, total in zip(WEEKS, ["900", "900", "900", "--"], strict=True):
        sunday = dt.date.fromisoformat(monday) + dt.timedelta(days=6)
        path = tmp_path / f"getKeywords-{sunday}.csv"
        path.write_text("词,曝光量,点击量,外贸直通车曝光,外贸直通车点击\n"
                        f"sneakers,{total},{total.replace('900', '30')},0,0\n", "utf-8")
        import_file(store, "keyword-report", path)
    days = "".join(f"boots,2026-11-{d},organic,{'' if d == 18 else 100},5,0,\n"
                   for d in range(16, 23))
    import_file(store, "keyword-stats", write_csv(
        tmp_path / "daily.csv", "keyword,date,channel,impressions,clicks,inquiries,spend\n"
        "boots,2026-11-09,organic,700,35,0,\n" + days))
    week = {w.keyword: w for w in KeywordWeek.select().where(KeywordWeek.week == THIS)}
    sneakers, boots = (Keyword.get(Keyword.keyword == w).id for w in ("sneakers", "boots"))
    assert (week[sneakers].impressions, week[sneakers].clicks) == (None, None)
    assert (week[boots].impressions, week[boots].clicks) == (None, 35)
    review = weekly_review(store, THIS)
    assert not any("gone quiet" in i.why for i in review.sections["key_group"])
    figures = {i.keyword: i.figures for s in review.sections.values() for i in s}
    for word in ("sneakers", "boots"):
        if word in figures:
            assert figures[word]["impressions"] is None
            assert figures[word]["impressions_change"] is None
    assert figures.get("sneakers", {}).get("p4p_impressions", 0) == 0
    from kwtrack.review import keyword_history

    _, history = keyword_history(store, "sneakers")  # (what `keywords show` lists)
    assert [(w.impressions, w.organic_impressions, w.p4p_impressions) for w in history] == [
        (900, 900, 0), (900, 900, 0), (900, 900, 0), (None, None, 0)]


def test_thresholds_come_from_the_config_file(weekly, tmp_path):
    config = tmp_path / "kwtrack.toml"
    config.write_text("[review]\nrising_min_base = 1\nrising_min_growth = 2.0\n")
    review = weekly_review(weekly, config=load_config(config))
    assert section(review, "rising") == ["tiny", "riser"]  # tiny: +1900%, surging
    assert review.sections["rising"][0].figures["trend"] == "surging"
    shown = CliRunner().invoke(cli, ["--config", str(config), "config", "show"]).stdout
    assert f"rising_min_base = 1.0    # {config}" in shown
    assert "cut_min_spend = 50.0    # default" in shown
    config.write_text("[review]\nrising_min_bas = 1\n")
    with pytest.raises(KwtrackError, match="has no setting 'rising_min_bas'"):
        load_config(config)


def test_done_hides_an_item_for_good_and_snooze_for_some_weeks(weekly):
    mark_item(weekly, "riser", "rising", week=THIS)
    review = weekly_review(weekly)
    assert section(review, "rising") == [] and "riser" in section(review, "p4p_candidates")
    w46 = parse_week("2026-W46")
    mark_item(weekly, "asker", "p4p_candidates", week=w46, snooze_weeks=1)
    assert "asker" in section(weekly_review(weekly), "p4p_candidates")  # a week is over
    mark_item(weekly, "asker", "p4p_candidates", week=w46, snooze_weeks=2)
    assert "asker" not in section(weekly_review(weekly), "p4p_candidates")
    with pytest.raises(KwtrackError, match="no review section 'nope' .sections: top_traffic"):
        mark_item(weekly, "riser", "nope", week=THIS)
    # each mark is a change: the log names it, undo takes it back, redo marks it again
    from kwtrack.history import history, redo_last

    assert [(line.entity, line.label, line.new) for line in history(weekly, 3)] == [
        ("mark", "asker", "p4p_candidates: snoozed to 2026-11-23"),
        ("mark", "asker", "p4p_candidates: snoozed to 2026-11-16"),
        ("mark", "riser", "rising: done")]
    undo_last(weekly), undo_last(weekly), undo_last(weekly)
    assert "riser" in section(weekly_review(weekly), "rising")
    redo_last(weekly)
    assert section(weekly_review(weekly), "rising") == []
    # a section as the review prints its title is that section
    assert mark_item(weekly, "asker", "Put into P4P", week=THIS).section == "p4p_candidates"


def test_tracked_words_and_undo(weekly):
    assert set_tracked(weekly, ["Newbie", "gap"], True) == 2
    assert section(weekly_review(weekly), "tracked") == ["gap", "newbie"]
    undo_last(weekly)
    assert section(weekly_review(weekly), "tracked") == []


def test_review_json_and_markdown_from_the_command_line(weekly, db_path):
    runner = CliRunner()
    data = json.loads(runner.invoke(cli, ["--db", str(db_path), "review", "--week",
                                          "2026-W47", "--json"]).stdout)
    assert data["week"] == "2026-W47" and set(data) >= {"config", "rising", "cut", "showcase"}
    assert data["cut"][0]["keyword"] == "lowrate" and data["cut"][0]["spend"] == 80.0
    text = runner.invoke(cli, ["--db", str(db_path), "review", "--markdown"]).stdout
    assert "## Raise the bid" in text and "| steady |" in text
    # (headers as people read them; the JSON keeps the keys)
    assert ("| item | bid | P4P clicks | P4P inquiry rate | store median inquiry rate | why |"
            in text)
    shown = runner.invoke(cli, ["--db", str(db_path), "keywords", "show", "riser"]).stdout
    assert "riser  impressions ▂▂▂█" in shown and "2026-W47" in shown
    shown = runner.invoke(cli, ["--db", str(db_path), "keywords", "show", "lowrate"]).stdout
    lines = shown.splitlines()
    table = lines[next(i for i, line in enumerate(lines) if line.startswith("week ")) + 1:]
    spend = [re.split(r"\s{2,}", line)[5] for line in table]
    assert "40.00" in spend and all(re.fullmatch(r"-|\d+\.\d\d", s) for s in spend), spend
    # a week no keyword stats reach is unknown, not a week without traffic: refused in one
    # line, here and where the review's bid changes are applied
    for command in (["review", "--week", "2026-W49"],
                    ["bids", "apply-review", "--week", "2026-W49"]):
        missing = runner.invoke(cli, ["--db", str(db_path), *command])
        assert missing.exit_code == 1 and missing.stdout == "", command
        assert missing.stderr == ("kwtrack: error: no keyword stats for the week 2026-W49 (the "
                                  "latest week with some is 2026-W47): import that week's "
                                  "keyword report first\n")


def test_a_bid_changed_by_an_import_waits_out_the_cooldown(weekly, tmp_path):
    # the operator changed it in the back end, and the next P4P report says so: a change
    import_file(weekly, "p4p", write_csv(tmp_path / "b2.csv",
                                         "keyword,status,bid\nsteady,active,2.10\n"))
    steady = next(p for p in review_proposals(weekly) if p.keyword == "steady")
    assert steady.new_bid is None and "within the 7-day cooldown" in steady.skipped
    lowrate = next(p for p in review_proposals(weekly) if p.keyword == "lowrate")
    assert lowrate.new_bid == 2.55  # (its first record is no change)


def test_apply_review_dry_run_changes_nothing_then_applies_one_undoable_change(weekly):
    before = dump()
    proposals = review_proposals(weekly)
    assert [(p.keyword, p.old_bid, p.new_bid, p.rule) for p in proposals] == [
        ("steady", 2.0, 2.2, "raise_bid"), ("lowrate", 3.0, 2.55, "cut")]
    assert dump() == before  # proposing writes nothing
    action = apply_proposals(weekly, proposals)
    bids = {b.keyword.keyword: b.bid for b in Bid.select()}
    assert (bids["steady"], bids["lowrate"]) == (2.2, 2.55)
    assert "weekly review (raise_bid)" in bid_history(weekly, "steady")[0].reason
    # within the cooldown now: no second change
    assert all(p.new_bid is None and "cooldown" in p.skipped for p in review_proposals(weekly))
    undone = undo_last(weekly)
    assert {line.action for line in undone} == {action} and len(undone) == 2
    bids = {b.keyword.keyword: b.bid for b in Bid.select()}
    assert (bids["steady"], bids["lowrate"]) == (2.0, 3.0)
    assert bid_history(weekly, "steady")[0].reason == f"undo of change {action}"
    # an apply undone is no change: the week's proposals stand again
    assert review_proposals(weekly) == proposals


def test_cli_apply_review_dry_run_json_lists_the_proposals(weekly, db_path):
    done = CliRunner().invoke(cli, ["--db", str(db_path), "bids", "apply-review", "--dry-run",
                                    "--json"])
    assert done.exit_code == 0, done.output
    answer = json.loads(done.stdout)
    assert answer["dry_run"] is True and answer["change"] is None
    assert [(p["keyword"], p["old_bid"], p["new_bid"]) for p in answer["proposals"]] == [
        ("steady", 2.0, 2.2), ("lowrate", 3.0, 2.55)]


def test_bid_limits_global_and_per_word(weekly, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[bids]\nmax_bid = 2.0\nmin_bid = 2.8\n")
    with pytest.raises(KwtrackError, match="min_bid 2.8 is above max_bid 2"):
        load_config(config)
    config.write_text("[bids]\nmax_bid = 2.0\nmin_bid = 1.5\n")
    proposals = {p.keyword: p for p in review_proposals(weekly, config=load_config(config))}
    assert proposals["steady"].new_bid is None and "limit" in proposals["steady"].skipped
    config.write_text("[bids]\nmin_bid = 2.8\n")
    proposals = {p.keyword: p for p in review_proposals(weekly, config=load_config(config))}
    assert proposals["lowrate"].new_bid == 2.8  # a cut to 2.55 stops at the floor
    Bid.update(max_bid=2.1).where(Bid.keyword == Keyword.get(Keyword.norm == "steady")).execute()
    proposals = {p.keyword: p for p in review_proposals(weekly)}
    assert proposals["steady"].new_bid == 2.1


def test_a_words_own_bid_limits_are_set_kept_to_exported_and_undone(weekly, db_path,
                                                                     tmp_path):
    """`bids limits` gives a P4P word its own limits inside the config's (there was no way to
    set them, though `bids set` said to change them); the proposals and `bids set` keep to
    them, `--config` included; an export carries them into another store; undo takes them
    off."""
    runner = CliRunner()

    def run(*args, config=None):
        return runner.invoke(cli, ["--db", str(db_path), *(["--config", str(config)]
                                                           if config else []), *args])

    done = run("bids", "limits", "steady", "--max", "2.1", "--reason", "thin margin")
    assert done.exit_code == 0 and done.stdout == (
        "steady: bids between 0.30 and 2.10 (the config's where the word has none)\n")
    assert {p.keyword: p.new_bid for p in review_proposals(weekly)}["steady"] == 2.1
    refused = run("bids", "set", "steady", "2.5")
    assert refused.exit_code == 1 and "outside this word's limits, 0.3–2.1 CNY" in refused.stderr
    before = dump()
    for args, error in [
            (["--max", "1.5"], "its bid of 2.00 is outside 0.30–1.50: set the bid first"),
            (["--min", "3", "--max", "2.5"], "the low limit 3 is above the high one 2.5"),
            (["--max", "25"], "a high limit of 25 is not a price in fen within [bids] min_bid "
                              "and max_bid, 0.3–20 CNY"),
            (["--max", "2.105"], "a high limit of 2.105 is not a price in fen"),
            ([], "say --min PRICE, --max PRICE or --clear")]:
        out = run("bids", "limits", "steady", *args)
        assert out.exit_code == 1 and error in out.stderr, (args, out.stderr)
    out = run("bids", "limits", "sleepy", "--max", "3")
    assert out.exit_code == 1 and "'sleepy' is not in P4P" in out.stderr
    # the team's config narrows the limits a word's own may take, and `bids set`'s too
    config = tmp_path / "team.toml"
    config.write_text("[bids]\nmax_bid = 2.05\n")
    assert "0.3–20" not in run("bids", "limits", "steady", "--max", "2.1",
                               config=config).stderr
    assert "outside this word's limits, 0.3–2.05" in run("bids", "set", "steady", "2.1",
                                                          config=config).stderr
    assert dump() == before
    assert "max_bid  -    2.10  thin margin" in run("history").stdout
    # exported, imported into another store: the limits come with the bids
    run("export", "bids", "-o", str(tmp_path / "bids.csv"))
    assert "steady,,active,2.0,,,,,2.1" in (tmp_path / "bids.csv").read_text()
    moved = runner.invoke(cli, ["--db", str(db_path), "--store", "other", "import", "p4p",
                                str(tmp_path / "bids.csv")])
    assert moved.exit_code == 0, moved.output
    assert {(k.store.name, b.max_bid) for b in Bid.select().join(Keyword)
            for k in [b.keyword] if k.norm == "steady"} == {("default", 2.1), ("other", 2.1)}
    # undone: the config's again
    assert "bid steady max_bid (now -)" in run("undo").stdout
    assert Bid.get(Bid.keyword == Keyword.get((Keyword.norm == "steady")
                                              & (Keyword.store == weekly))).max_bid is None


def test_a_word_put_into_p4p_leaves_it_again_on_undo_and_comes_back_on_redo(weekly, db_path):
    """A bid set on a word with none makes its P4P entry; undo removes the entry (not a
    status of nothing, which the table refuses), redo makes it again with its bid."""
    from kwtrack.bids import list_bids
    from kwtrack.history import history, redo_last
    from kwtrack.store.models import Change

    Keyword.create(store=weekly, keyword="new word", norm="new word", words="new word")
    set_bid(weekly, "new word", 1.5, reason="put into P4P")
    assert [(b.keyword, b.bid, b.status) for b in list_bids(weekly)
            if b.keyword == "new word"] == [("new word", 1.5, "active")]
    lines = history(weekly, 2)
    assert {(line.label, line.field, line.new) for line in lines} == {
        ("new word", "bid", "1.50"), ("new word", "entry", "in P4P (active)")}
    undo_last(weekly)
    assert "new word" not in {b.keyword for b in list_bids(weekly)}
    assert {line.label for line in history(weekly, 2)} == {"new word"}  # named still
    redo_last(weekly)
    assert [(b.keyword, b.bid) for b in list_bids(weekly) if b.keyword == "new word"] == [
        ("new word", 1.5)]
    undo_last(weekly)
    # an entry an older kwtrack logged as a status set from nothing: undone all the same;
    # not made again (it kept no keyword), and saying so changes nothing
    Change.delete().execute()
    set_bid(weekly, "new word", 1.5)
    Change.update(field="status", old=None, new="active").where(Change.field == "entry").execute()
    undo_last(weekly)
    assert "new word" not in {b.keyword for b in list_bids(weekly)}
    kept = dump()
    with pytest.raises(KwtrackError, match="cannot be made again"):
        redo_last(weekly)
    assert dump() == kept


def test_set_bid_logs_history_and_undo_restores(weekly, db_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", str(db_path), "bids", "set", "steady", "2.5", "--reason",
                              "more traffic"])
    assert out.exit_code == 0 and "steady: bid 2.00 → 2.50" in out.stdout
    shown = runner.invoke(cli, ["--db", str(db_path), "bids", "history", "steady"]).stdout
    # (money as money reads; the first record, from the P4P file, is the bid alone)
    assert [line.split("  ")[1:2] for line in shown.splitlines()[1:]] == [["2.00 → 2.50"],
                                                                        ["2.00"]], shown
    history = json.loads(runner.invoke(cli, ["--db", str(db_path), "bids", "history",
                                             "steady", "--json"]).stdout)
    assert (history[0]["old_bid"], history[0]["new_bid"], history[0]["reason"]) == (
        2.0, 2.5, "more traffic")
    undone = runner.invoke(cli, ["--db", str(db_path), "undo"])
    assert "bid of steady (now 2.00)" in undone.stdout  # by its keyword, as money
    assert Bid.get(Bid.keyword == Keyword.get(Keyword.norm == "steady")).bid == 2.0
    with pytest.raises(KwtrackError, match="no keyword 'nothing'"):
        set_bid(weekly, "nothing", 1.0)
    # a slip of the finger is refused, never rounded nor taken: 999 for 9.99, a third decimal
    before = dump()
    for price, error in [(999, "outside this word's limits, 0.3–20 CNY"),
                         (0.1, "outside this word's limits, 0.3–20 CNY"),
                         (2.345, "two decimals at most")]:
        with pytest.raises(KwtrackError, match=error):
            set_bid(weekly, "steady", price)
    assert dump() == before
    out = runner.invoke(cli, ["--db", str(db_path), "bids", "set", "steady", "999"])
    assert out.exit_code == 1 and out.stderr.count("\n") == 1 and "limits" in out.stderr
    # a price not written as a number says how to write it
    for typed in ("4,50", "¥4.80", "nan", "inf", "0"):
        out = runner.invoke(cli, ["--db", str(db_path), "bids", "set", "steady", typed])
        assert out.exit_code == 2 and out.stderr.count("\n") == 1, (typed, out.stderr)
        assert f"{typed!r} is not a price in CNY: write it like 4.50" in out.stderr
    assert dump() == before


@pytest.mark.parametrize(("day", "hours", "expected"), [
    # New York is west of China, 13 hours behind in winter and 12 in summer
    ("2026-01-14", "08:00-23:00", {"US": [("10:00", "18:00")], "DE": [("16:00", "18:00")]}),
    ("2026-07-15", "08:00-23:00", {"US": [("11:00", "18:00")], "DE": [("17:00", "18:00")]}),
    # a range past midnight covers New York's day; Berlin's morning is left out
    ("2026-01-14", "20:00-08:00", {"US": [], "DE": [("09:00", "13:00")]}),
    ("2026-07-15", "20:00-08:00", {"US": [], "DE": [("09:00", "14:00")]}),
    # east of China: Tokyo and Sydney (daylight saving in January) in a morning plan
    ("2026-01-14", "06:00-12:00", {"JP": [("13:00", "18:00")],
                                   "Australia/Sydney": [("15:00", "18:00")]}),
])
def test_schedule_check_across_time_zones_and_daylight_saving(day, hours, expected):
    checks = schedule_check(hours, list(expected), dt.date.fromisoformat(day))
    assert {c.market: c.uncovered for c in checks} == expected
    assert all(c.covered == (not c.uncovered) for c in checks)


def test_schedule_check_from_the_command_line_and_the_stored_plan(store, db_path):
    runner = CliRunner()
    base = ["--db", str(db_path), "p4p"]
    assert runner.invoke(cli, base + ["plan", "set", "--hours", "20:00-08:00", "--market", "US",
                                      "--budget", "300"]).exit_code == 0
    ok = runner.invoke(cli, base + ["schedule-check", "--date", "2026-01-14", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["markets"][0]["covered"] is True
    short = runner.invoke(cli, base + ["schedule-check", "--market", "DE", "--hours",
                                       "20:00-08:00", "--date", "2026-01-14"])
    assert short.exit_code == 3 and "uncovered 09:00–13:00" in short.stdout
    bad = runner.invoke(cli, base + ["schedule-check", "--market", "XX/Nowhere", "--hours",
                                     "20:00-08:00"])
    assert bad.exit_code == 1 and "unknown market" in bad.stderr


def test_the_review_checks_the_p4p_plans_hours_against_its_markets(weekly, db_path):
    """The weekly review says whether the P4P plan's hours cover its markets' office hours,
    and which China-time hours would cover what they miss (after the bids: both are P4P's)."""
    winter = dt.date(2026, 1, 14)
    unset = weekly_review(weekly, THIS, today=winter)
    assert unset.plan.markets == [] and "no promotion hours" in unset.plan.hours_said
    assert "## P4P plan\n\n**Budget.** no daily budget in the plan" in markdown(unset)
    set_plan(weekly, hours="08:00-23:00", markets=["US", "DE"])
    review = weekly_review(weekly, THIS, today=winter)
    us, de = review.plan.markets
    # New York's 10:00–18:00 in January is 23:00–07:00 in China; Berlin's 16–18, 23–01
    assert (us.uncovered, us.uncovered_china) == ([("10:00", "18:00")], [("23:00", "07:00")])
    assert (de.uncovered, de.uncovered_china) == ([("16:00", "18:00")], [("23:00", "01:00")])
    text = markdown(review)
    assert text.index("## Cut or pause") < text.index("## P4P plan") < text.index("## Key group")
    assert ("- US (America/New_York), Wed 2026-01-14: office hours 09:00–18:00 uncovered "
            "10:00–18:00 (add 23:00–07:00 China time)") in text
    assert review.to_dict()["p4p_plan"]["markets"][1] == {
        "market": "DE", "zone": "Europe/Berlin", "date": "2026-01-14", "covered": False,
        "uncovered": ["16:00-18:00"], "uncovered_china": ["23:00-01:00"]}
    header, rows = csv_rows(review)
    plan = [row for row in rows if row[1] == "p4p_plan"]
    assert [row[-1].split(" ")[0] for row in plan] == ["no", "US", "DE", "no"]
    assert all(len(row) == len(header) for row in plan)
    # from the command line, on whatever day the test runs: all day covers every market
    set_plan(weekly, hours="00:00-24:00")
    text = CliRunner().invoke(cli, ["--db", str(db_path), "review", "--markdown"]).stdout
    assert re.search(r"- DE \(Europe/Berlin\), \w{3} [-\d]{10}: office hours 09:00–18:00 "
                     r"covered\n", text), text


def test_the_review_weighs_the_p4p_budget_against_the_weeks_spend(weekly, tmp_path):
    """Seven days of the daily budget against the week's P4P spend: a budget spent to the end
    stops the ads before the promotion hours end; an unknown spend is said, never 0."""
    # the week's P4P rows spent 60 + 40 + 3 = 103 CNY
    set_plan(weekly, budget=15)  # 105 a week: 98% spent
    plan = weekly_review(weekly, THIS).plan
    assert (plan.spend, plan.budget_used) == (103.0, 0.981)
    assert plan.budget_said == (
        "15.00 CNY a day: 2026-W47 spent 103.00 CNY, 98% of seven days of it — it runs out "
        "most days, so the ads stop before the promotion hours end: raise it, or cut the bids "
        "of the words that bring no inquiry")
    set_plan(weekly, budget=100)
    assert weekly_review(weekly, THIS).plan.budget_said.endswith(
        "15% of seven days of it — most of it went unspent: room for the key words' bids, "
        "or new words")
    # one more P4P row of the week, without its spend: the week's spend is unknown, not 103
    import_file(weekly, "keyword-stats", write_csv(tmp_path / "gap.csv", (
        "keyword,week,channel,impressions,clicks,inquiries,spend\n"
        f"newcomer,{WEEKS[-1]},p4p,900,50,0,\n")))
    plan = weekly_review(weekly, THIS).plan
    assert (plan.spend, plan.budget_used) == (None, None)
    assert "the P4P spend of 2026-W47 is unknown" in plan.budget_said
    # a week no P4P row reaches: nothing to weigh the budget against
    assert week_spend(weekly, THIS + dt.timedelta(weeks=1)) == (None, 0)


def test_the_plan_is_shown_and_each_change_of_it_undone(store, db_path):
    runner = CliRunner()
    base = ["--db", str(db_path), "p4p", "plan"]
    assert "no P4P plan yet" in runner.invoke(cli, base + ["show"]).stdout
    runner.invoke(cli, base + ["set", "--budget", "300", "--hours", "08:00-20:00",
                               "--market", "US"])
    runner.invoke(cli, base + ["set", "--budget", "350", "--market", "DE"])
    assert runner.invoke(cli, base + ["show"]).stdout == (
        "plan: budget 350.00 CNY/day, hours 08:00-20:00 (China time), markets DE\n")
    undone = runner.invoke(cli, ["--db", str(db_path), "undo"]).stdout
    assert "p4p plan budget (now 300.0)" in undone and "p4p plan markets (now US)" in undone
    assert runner.invoke(cli, base + ["show"]).stdout == (
        "plan: budget 300.00 CNY/day, hours 08:00-20:00 (China time), markets US\n")
    runner.invoke(cli, ["--db", str(db_path), "undo"])  # the plan as it was: none of it
    assert runner.invoke(cli, base + ["show"]).stdout == (
        "plan: budget - CNY/day, hours - (China time), markets -\n")
    runner.invoke(cli, ["--db", str(db_path), "redo"])
    assert "300.00" in runner.invoke(cli, base + ["show"]).stdout
    # the same plan again changes nothing, and logs nothing
    before = runner.invoke(cli, ["--db", str(db_path), "history", "--json"]).stdout
    runner.invoke(cli, base + ["set", "--budget", "300"])
    assert runner.invoke(cli, ["--db", str(db_path), "history", "--json"]).stdout == before


def test_the_p4p_growth_level_is_recorded_by_hand_undone_and_said_in_the_review(
        weekly, db_path, tmp_path):
    """The monthly routine: the P4P growth level (营销成长等级), read off the back end and
    recorded by hand; the review says the points to L4 (81), the change since the record
    before, and a record grown older than a month. Each record is one change undo takes back;
    a second record of the same day replaces the first."""
    from kwtrack.review import growth_levels, record_level

    def run(*args):
        return CliRunner().invoke(cli, ["--db", str(db_path), "p4p", "level", *args])

    today = dt.date.today()
    assert "no P4P growth level recorded" in weekly_review(weekly, THIS).plan.growth_said
    shown = run()
    assert shown.exit_code == 0 and "no P4P growth level recorded" in shown.stderr
    record_level(weekly, 70, 3, today - dt.timedelta(days=40))
    said = weekly_review(weekly, THIS, today=today).plan.growth_said
    assert said == (f"L3, 70 points on {today - dt.timedelta(days=40)}: 11 points to 81 (L4) "
                    "— over a month old: `kwtrack p4p level POINTS --level L3` records this "
                    "month's")
    recorded = run("76.5", "--level", "L3")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout.startswith(f"recorded L3, 76.5 points on {today}")
    review = weekly_review(weekly, THIS, today=today)
    assert review.plan.growth_said == (
        f"L3, 76.5 points on {today}: 4.5 points to 81 (L4); +6.5 since "
        f"{today - dt.timedelta(days=40)}")
    assert f"**Growth level.** L3, 76.5 points on {today}" in markdown(review)
    assert review.to_dict()["p4p_plan"]["growth_said"] == review.plan.growth_said
    assert csv_rows(review)[1][-1][-1] == review.plan.growth_said
    assert run("82", "--level", "4").exit_code == 0  # (the same day again: replaced)
    assert [(r.points, r.level) for r in growth_levels(weekly)] == [(82, 4), (70, 3)]
    assert weekly_review(weekly, THIS, today=today).plan.growth_said.startswith(
        f"L4, 82 points on {today}: at the 81 points of L4; +12 since")
    listed = run("--json").stdout
    assert json.loads(listed)[0] == {"recorded_on": today.isoformat(), "level": 4,
                                     "points": 82.0}
    table = run().stdout.splitlines()
    assert table[0].split() == ["day", "level", "points", "change"]
    assert table[1].split() == [today.isoformat(), "L4", "82", "+12"]
    assert "L3, 76.5 points" in CliRunner().invoke(cli, ["--db", str(db_path),
                                                         "undo"]).stdout
    assert [r.points for r in growth_levels(weekly)] == [76.5, 70]
    assert CliRunner().invoke(cli, ["--db", str(db_path), "undo"]).exit_code == 0
    assert [r.points for r in growth_levels(weekly)] == [70]
    assert CliRunner().invoke(cli, ["--db", str(db_path), "redo"]).exit_code == 0
    assert [(r.points, r.level) for r in growth_levels(weekly)] == [(76.5, 3), (70, 3)]
    for bad, says in ((["--", "-3"], "0 or more"), (["nan"], "a number"), (["inf"], "a number"),
                      (["1e-300"], "a number"), (["1e300"], "a number"),
                      (["76", "--level", "top"], "not a growth level"),
                      (["76", "--on", (today + dt.timedelta(days=2)).isoformat()],
                       "still to come")):
        refused = run(*bad)
        assert refused.exit_code != 0 and says in refused.stderr, refused.output
        assert "Traceback" not in refused.output
    assert len(growth_levels(weekly)) == 2


def test_a_hot_products_title_changes_only_with_force_and_a_reason(store, db_path, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,hot\nH1,Best Seller Running Shoes Model R1,Y\n"
        "N1,Plain Sandals Model S1,N\n")))
    runner = CliRunner()
    base = ["--db", str(db_path), "products", "set-title"]
    refused = runner.invoke(cli, base + ["H1", "New Running Shoes Model R1"])
    assert refused.exit_code == 1 and "hot product" in refused.stderr
    assert runner.invoke(cli, base + ["H1", "New Running Shoes Model R1", "--force"]
                         ).exit_code == 1  # --force alone is not enough
    done = runner.invoke(cli, base + ["H1", "New Running Shoes Model R1", "--force",
                                      "--reason", "season"])
    assert done.exit_code == 0, done.output
    history = runner.invoke(cli, ["--db", str(db_path), "history", "--json"]).stdout
    assert "season; hot product: impressions" in history
    assert runner.invoke(cli, base + ["N1", "Plain Summer Sandals Model S1"]).exit_code == 0
    runner.invoke(cli, ["--db", str(db_path), "undo"])
    runner.invoke(cli, ["--db", str(db_path), "undo"])
    from kwtrack.store.models import Product

    h1 = Product.get(Product.product_id == "H1")
    assert (h1.title, h1.title_words) == ("Best Seller Running Shoes Model R1",
                                          "best seller running shoe model r1")


def test_showcase_and_product_strength(weekly, tmp_path):
    import_file(weekly, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,score,keywords\nNEAR,Mesh Sneakers M1,75,riser\n"
        "FELL,Running Shoes R2,90,\nUP,Hiking Boots | H3,60,riser\n")))
    import_file(weekly, "products", write_csv(tmp_path / "p2.csv", (
        "product_id,title,score\nFELL,Running Shoes R2,85\n")))
    import_file(weekly, "product-stats", write_csv(tmp_path / "s.csv", (
        "product_id,period_start,period_end,impressions\n" + "".join(
            f"UP,{w},{dt.date.fromisoformat(w) + dt.timedelta(days=6)},{n}\n"
            for w, n in zip(WEEKS, (100, 100, 100, 300), strict=True)))))
    # the keyword's search index rose in the week
    import_file(weekly, "keyword-stats", write_csv(tmp_path / "idx.csv", (
        "keyword,week,channel,search_index\nriser,2026-11-09,organic,100\n"
        "riser,2026-11-16,organic,180\n")))
    review = weekly_review(weekly)
    assert section(review, "showcase") == ["UP"]
    strength = {i.product_id: i.why for i in review.sections["product_strength"]}
    assert set(strength) == {"NEAR", "FELL"} and "fell" in strength["FELL"]
    # a product is named by its title too, where people read the review
    assert review.sections["showcase"][0].to_dict()["title"] == "Hiking Boots | H3"
    assert "| UP Hiking Boots \\| H3 | 300 |" in markdown(review)  # (its `|` kept in the cell)
    header, rows = csv_rows(review)
    assert {row[header.index("title")] for row in rows if row[3] == "FELL"} == {
        "Running Shoes R2"}


def test_showcase_candidates_want_what_they_lack_and_slots_losing_traffic_are_swapped(
        weekly, tmp_path):
    """A rising product is offered the showcase slot or the P4P it lacks (one with both
    wants nothing); a product in a slot whose impressions fell, or that had none, is named
    to swap, on weeks the product stats cover only."""
    from kwtrack.store.models import Product

    import_file(weekly, "products", write_csv(tmp_path / "p.csv", (
        "product_id,title,showcase,status,keywords\n"
        "UPS,Hiking Boots H1,Y,online,riser\nUPB,Hiking Boots H2,Y,online,riser\n"
        "UPN,Hiking Boots H3,N,online,riser\nFALL,Sandals S1,Y,online,\n"
        "IDLE,Sandals S2,Y,online,\nGONE,Sandals S3,Y,online,\nSMALL,Sandals S4,Y,online,\n"
        "STEADY,Sandals S5,Y,online,\nOFF,Sandals S6,Y,offline,\n"
        "NOSLOT,Sandals S7,N,online,\n")))
    Product.update(p4p=True).where(Product.product_id == "UPB").execute()
    weeks = {"UPS": (100, 100, 100, 300), "UPB": (100, 100, 100, 300),
             "UPN": (100, 100, 100, 300), "FALL": (200, 200, 200, 100),
             "GONE": (200, 200, 200, None), "SMALL": (10, 10, 10, 2),
             "STEADY": (200, 200, 200, 200), "NOSLOT": (200, 200, 200, 50)}
    import_file(weekly, "product-stats", write_csv(tmp_path / "s.csv", (
        "product_id,period_start,period_end,impressions\n" + "".join(
            f"{pid},{w},{dt.date.fromisoformat(w) + dt.timedelta(days=6)},{n}\n"
            for pid, figures in weeks.items()
            for w, n in zip(WEEKS, figures, strict=True) if n is not None))))
    import_file(weekly, "keyword-stats", write_csv(tmp_path / "idx.csv", (
        "keyword,week,channel,search_index\nriser,2026-11-09,organic,100\n"
        "riser,2026-11-16,organic,180\n")))
    review = weekly_review(weekly, THIS, today=THIS)
    assert {i.product_id: i.why.split(": ")[1] for i in review.sections["showcase"]} == {
        "UPS": "P4P (it has a showcase slot)", "UPN": "a showcase slot and P4P"}
    swap = review.sections["showcase_swap"]
    # (no row in a week the stats cover: no impressions; the idle first, then the falls)
    assert [(i.product_id, i.figures["impressions"], i.figures["growth"]) for i in swap] == [
        ("IDLE", 0, None), ("GONE", 0, -1.0), ("FALL", 100, -0.5)]
    assert swap[0].why.startswith("no impressions in 4 weeks in a showcase slot")
    assert "| FALL Sandals S1 | 100 | -50% | impressions falling in a showcase slot" in (
        markdown(review))
    mark_item(weekly, "IDLE", "Showcase swaps", week=THIS)
    assert [i.product_id for i in weekly_review(weekly, THIS, today=THIS).sections[
        "showcase_swap"]] == ["GONE", "FALL"]
    # a week the product stats do not cover: nothing is said (IDLE's week is unknown)
    import_file(weekly, "keyword-stats", write_csv(tmp_path / "w48.csv", (
        "keyword,week,impressions\nriser,2026-11-23,300\n")))
    assert weekly_review(weekly, THIS + dt.timedelta(weeks=1),
                         today=THIS).sections["showcase_swap"] == []


def test_the_weekly_roll_up_follows_imports_overwrites_back_fills_and_undo(store, tmp_path,
                                                                           monkeypatch):
    """The review ranks on `keyword_week`: every import and undo keeps it equal to the stats."""
    from kwtrack.imports import undo_import
    from kwtrack.store import weekly
    from kwtrack.store.models import KeywordWeek

    def this_week(word):
        return (KeywordWeek.select(KeywordWeek.impressions, KeywordWeek.p4p_clicks,
                                   KeywordWeek.previous_impressions)
                .join(Keyword, on=(KeywordWeek.keyword == Keyword.id))
                .where((Keyword.keyword == word) & (KeywordWeek.week == THIS))
                .tuples().first())

    def stats(name, rows):
        import_file(store, "keyword-stats", write_csv(
            tmp_path / name, "keyword,week,channel,impressions,clicks,inquiries,spend\n" + rows))

    stats("a.csv", "w,2026-11-09,organic,100,5,0,\nw,2026-11-16,organic,300,9,1,\n"
                   "w,2026-11-16,p4p,50,4,0,8.0\n")
    assert this_week("w") == (350, 4, 100.0)  # both channels added; P4P apart
    # undoing imports that wrote no keyword stats leaves the roll-up alone
    import_file(store, "products", write_csv(tmp_path / "p.csv", "product_id,title\nP1,Mug\n"))
    import_file(store, "product-stats", write_csv(tmp_path / "ps.csv", (
        "product_id,period_start,period_end,impressions\nP1,2026-11-16,2026-11-22,5\n")))
    with monkeypatch.context() as patched:
        refreshed = []
        patched.setattr(weekly, "refresh", lambda *args: refreshed.append(args))
        undo_import(store)
        undo_import(store)
    assert refreshed == [] and this_week("w") == (350, 4, 100.0)
    stats("b.csv", "w,2026-11-16,organic,200,9,1,\n")  # overwrites this week's organic row
    assert this_week("w") == (250, 4, 100.0)
    stats("c.csv", "w,2026-11-02,organic,300,5,0,\n")  # an earlier week, imported later
    assert this_week("w") == (250, 4, 200.0)  # the average of the known weeks before
    undo_import(store)
    assert this_week("w") == (250, 4, 100.0)
    undo_import(store)
    assert this_week("w") == (350, 4, 100.0)
    undo_import(store)  # (the word itself goes: its weeks with it)
    assert this_week("w") is None and KeywordWeek.select().count() == 0
    # a month's row is no week's figure: not the week it ends in, not the review's (and a
    # week of the same word beside it would count its days twice: refused at import)
    import_file(store, "keyword-stats", write_csv(tmp_path / "m.csv", (
        "keyword,period_start,period_end,impressions\nmonthly,2026-10-23,2026-11-22,900\n")))
    assert this_week("monthly") is None
    with pytest.raises(KwtrackError, match="no keyword stats for the week 2026-W47 "
                       r"\(none are imported yet\)"):
        weekly_review(store, THIS)


def test_a_bid_list_shows_what_each_bid_earned_over_the_last_four_weeks(demo_db):
    """Beside each bid, its P4P clicks, spend, cost per click and inquiries over the store's
    last 4 weeks of keyword stats, as the stats rows add up; none said: unknown, not 0."""
    from kwtrack.bids import list_bids
    from kwtrack.store.database import get_store
    from kwtrack.store.models import KeywordStat
    from kwtrack.store.weekly import last_week

    store = get_store()
    first = last_week(store) - dt.timedelta(weeks=3)
    end = last_week(store) + dt.timedelta(days=6)
    sums = {}
    for kw, clicks, spend, inquiries in (
            KeywordStat.select(Keyword.keyword, KeywordStat.clicks, KeywordStat.spend,
                               KeywordStat.inquiries).join(Keyword)
            .where((KeywordStat.channel == "p4p") & (KeywordStat.period_end >= first)
                   & (KeywordStat.period_end <= end)).tuples()):
        total = sums.setdefault(kw, [None, None, None])
        for i, value in enumerate((clicks, spend, inquiries)):
            if value is not None:
                total[i] = (total[i] or 0) + value
    lines = list_bids(store)
    assert any(b.clicks for b in lines) and any(b.clicks is None for b in lines)
    for b in lines:
        clicks, spend, inquiries = sums.get(b.keyword, (None, None, None))
        assert (b.clicks, b.inquiries) == (clicks, inquiries), b.keyword
        assert b.spend == (None if spend is None else round(spend, 2)), b.keyword
        assert b.cpc == (round(b.spend / b.clicks, 2) if b.clicks else None)
    shown = CliRunner().invoke(cli, ["--db", str(demo_db), "bids", "list"]).stdout
    assert shown.splitlines()[0].split() == ["keyword", "group", "status", "bid", "base", "min",
                                             "max", "clicks", "4w", "spend", "cpc", "inq"]


def test_the_review_as_a_workbook_for_the_meeting(weekly, db_path, tmp_path):
    """`review -o FILE.xlsx`: a sheet per section, figures as numbers (rates and changes as
    percentages, unknown ones empty), a word a spreadsheet would run as a formula kept as
    text, the P4P plan last; the file is written whole or not at all."""
    from openpyxl import load_workbook

    import_file(weekly, "keyword-stats", write_csv(tmp_path / "new.csv", (
        "keyword,week,channel,impressions,clicks,inquiries,spend\n"
        f"=1+1 shoes,{WEEKS[-1]},organic,300,9,0,\n")))
    runner = CliRunner()
    out = tmp_path / "review.xlsx"
    done = runner.invoke(cli, ["--db", str(db_path), "review", "--week", "2026-W47",
                               "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"wrote the review of 2026-W47 to {out} (")
    book = load_workbook(out)
    assert book.sheetnames == ["The store", *TITLES.values(), "P4P plan"]
    rows = list(book["Cut or pause"].iter_rows(values_only=True))
    assert rows[0] == ("keyword", "bid", "spend", "P4P clicks", "P4P inquiries", "why")
    assert rows[1][:5] == ("lowrate", 3.0, 80.0, 100, 0)
    top = book["Top traffic"]
    riser = next(row for row in top.iter_rows(min_row=2) if row[0].value == "riser")
    assert (riser[6].value, riser[6].number_format) == (3.0, "+0%;-0%;0%")  # change
    assert (riser[5].value, riser[5].number_format) == (0.05, "0.0%")  # CTR
    assert riser[3].value is None  # no P4P impressions: unknown, not 0
    new = [row[0] for row in book["New words"].iter_rows(min_row=2, values_only=True)]
    assert "'=1+1 shoes" in new and "newbie" in new
    # and in the CSV (a buyer's search term is anyone's text)
    text = runner.invoke(cli, ["--db", str(db_path), "review", "--week", "2026-W47",
                               "--csv"]).stdout
    assert "\n2026-W47,new,'=1+1 shoes," in text and "\n2026-W47,new,=1+1" not in text
    assert [row[0] for row in book["Raise the bid"].iter_rows(values_only=True)][1] == "steady"
    assert book["P4P plan"]["A2"].value == "budget"
    # the markdown file is what the screen shows; a missing folder or an unknown suffix is
    # one line, and no file is left behind
    md = tmp_path / "review.md"
    assert runner.invoke(cli, ["--db", str(db_path), "review", "-o", str(md)]).exit_code == 0
    shown = runner.invoke(cli, ["--db", str(db_path), "review"]).stdout
    assert md.read_text(encoding="utf-8") == shown
    missing = runner.invoke(cli, ["--db", str(db_path), "review", "-o",
                                  str(tmp_path / "nowhere" / "r.xlsx")])
    assert missing.exit_code == 1 and "nowhere: no such folder" in missing.stderr
    odd = runner.invoke(cli, ["--db", str(db_path), "review", "-o", str(tmp_path / "r.pdf")])
    assert odd.exit_code == 2 and "r.pdf: name an .xlsx, .md, .csv or .json file" in odd.stderr
    odd = runner.invoke(cli, ["--db", str(db_path), "review", "--csv", "-o",
                              str(tmp_path / "r.xlsx")])
    assert odd.exit_code == 2 and "r.xlsx names xlsx but --csv was given" in odd.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "review" in p.name or p.suffix ==
                  ".part") == ["review.md", "review.xlsx"]


def test_a_bid_list_names_the_weeks_no_p4p_report_reaches(store, db_path, tmp_path):
    """A P4P report not imported for a week: the 4-week totals are of three weeks, and the
    list says which week they leave out (here and on the Bids view's status line)."""
    from kwtrack.bids import weeks_without_p4p

    rows = ["keyword,week,channel,impressions,clicks,inquiries,spend"]
    rows += [f"shoes,{week},p4p,100,10,0,20" for n, week in enumerate(WEEKS) if n != 2]
    rows += [f"shoes,{week},organic,500,20,," for week in WEEKS]
    import_file(store, "keyword-stats", write_csv(tmp_path / "s.csv", "\n".join(rows) + "\n"))
    import_file(store, "p4p", write_csv(tmp_path / "b.csv", "keyword,status,bid\nshoes,active,2\n"))
    assert weeks_without_p4p(store) == [dt.date(2026, 11, 9)]
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "bids", "list"])
    assert listed.exit_code == 0 and listed.stdout.splitlines()[1].split()[7:9] == ["30", "60.00"]
    assert listed.stderr == "no P4P stats for 2026-W46: the 4-week figures leave it out\n"
    import_file(store, "keyword-stats", write_csv(tmp_path / "w46.csv", (
        f"keyword,week,channel,impressions,clicks,inquiries,spend\nshoes,{WEEKS[2]},p4p,0,0,0,0\n")))
    assert weeks_without_p4p(store) == []
