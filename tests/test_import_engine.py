"""The import engine's fast paths: column-at-a-time chunks, the duplicate check across chunks,
plain inserts for new periods. Each must give exactly what the
plain path gives, problems included."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kwtrack.imports as importing
import kwtrack.imports.chunks as chunking
from kwtrack.errors import ImportFailed, KwtrackError
from kwtrack.imports import import_file
from kwtrack.store.database import get_store, open_database
from kwtrack.store.models import Keyword, KeywordStat, database

from .conftest import write_csv
from .test_import import dump


def stats_csv(rows: int, seed: int = 1) -> str:
    """Keyword stats over several weeks, with the messy cells reports carry."""
    rnd = random.Random(seed)
    lines = ["keyword,week,channel,impressions,clicks,spend"]
    for i in range(rows):
        plural = "s" if i % 3 else ""
        word = f"{rnd.choice(['Camping', 'camping', 'CAMPING'])} chair{plural} {i // 4}"
        week = f"2026-0{6 + (i % 4)}-01"
        channel = ("organic", "p4p", "直通车", "")[i % 4]
        impressions = rnd.choice([str(i), f"{i:,}", "-", ""])
        spend = rnd.choice(["1.5", "¥2.30", "--", ""])
        lines.append(f'{word},{week},{channel},"{impressions}",{i % 7},{spend}')
    return "\n".join(lines) + "\n"


def imported_state(tmp_path, name: str, text: str, **options) -> tuple[str, object]:
    """Import `text` into a new database; return its fingerprint and the result."""
    open_database(str(tmp_path / f"{name}.db"))
    store = get_store(create=True)
    result = import_file(store, "keyword-stats", write_csv(tmp_path / "stats.csv", text),
                         **options)
    rows = database.execute_sql(
        "SELECT k.norm, k.keyword, s.period_start, s.period_end, s.channel, s.impressions,"
        " s.clicks, s.spend FROM keyword_stat s JOIN keyword k ON k.id = s.keyword_id"
        " ORDER BY 1, 3, 5").fetchall()
    database.obj.close()
    return rows, result


@pytest.mark.parametrize("chunk_rows", [1, 7])
def test_chunk_size_changes_nothing(tmp_path, monkeypatch, chunk_rows):
    text = stats_csv(300)
    whole, whole_result = imported_state(tmp_path, "whole", text)
    monkeypatch.setattr(chunking, "CHUNK_ROWS", chunk_rows)
    chunked, chunked_result = imported_state(tmp_path, "chunked", text)
    assert whole == chunked and len(whole) > 0
    assert whole_result == chunked_result
    assert whole_result.added == len(whole)


def test_keyword_display_form_is_the_first_one_the_file_shows(tmp_path, monkeypatch):
    monkeypatch.setattr(chunking, "CHUNK_ROWS", 2)
    text = ("keyword,date,clicks\nshoes,2026-11-01,1\nCamping-Chair,2026-11-01,2\n"
            "camping chair,2026-11-02,3\nCAMPING CHAIR,2026-11-03,4\n")
    rows, result = imported_state(tmp_path, "forms", text)
    assert result.keywords_added == 2
    assert {r[0]: r[1] for r in rows} == {"shoes": "shoes", "camping chair": "Camping-Chair"}


def test_duplicates_across_chunks_name_the_first_row(store, tmp_path, monkeypatch):
    monkeypatch.setattr(chunking, "CHUNK_ROWS", 3)
    rows = [f"w{i},2026-11-0{1 + i % 3},{i}" for i in range(12)]
    rows[9] = "W0,2026-11-01,99"  # the same keyword and day as row 2 (w0)
    rows[10] = "w4 ,2026-11-02,98"  # and as row 6 (w4)
    before = dump()
    with pytest.raises(ImportFailed) as err:
        import_file(store, "keyword-stats",
                    write_csv(tmp_path / "k.csv", "keyword,date,clicks\n" + "\n".join(rows)))
    assert str(err.value).splitlines() == [
        "k.csv:11: duplicate of row 2 (keyword 'w0', 2026-11-01, channel 'organic')",
        "k.csv:12: duplicate of row 6 (keyword 'w4', 2026-11-02, channel 'organic')"]
    assert dump() == before


def test_problems_come_in_row_order_whatever_the_column(store, tmp_path):
    text = ("keyword,date,clicks,spend\nshoes,2026-11-01,x,1\nbags,2026-11-01,2,y\n"
            "hats,soon,3,1\n,2026-11-01,4,1\nbelts,2026-11-01,5.5,z\n")
    with pytest.raises(ImportFailed) as err:
        import_file(store, "keyword-stats", write_csv(tmp_path / "k.csv", text))
    assert str(err.value).splitlines() == [
        "k.csv:2:clicks: 'x' is not a number",
        "k.csv:3:spend: 'y' is not a number",
        "k.csv:4:date: 'soon' is not a date (YYYY-MM-DD)",
        "k.csv:5:keyword: is empty",
        "k.csv:6:clicks: '5.5' is not a whole number",
        "k.csv:6:spend: 'z' is not a number",
    ]
    assert KeywordStat.select().count() == 0 and Keyword.select().count() == 0


def test_rows_of_a_known_period_update_and_of_a_new_period_insert(store, tmp_path):
    import_file(store, "keyword-stats", write_csv(
        tmp_path / "a.csv", "keyword,date,clicks,impressions\nshoes,2026-11-01,1,10\n"
                            "bags,2026-11-01,2,\n"))
    result = import_file(store, "keyword-stats", write_csv(
        tmp_path / "b.csv", "keyword,date,clicks,impressions\nshoes,2026-11-01,5,\n"
                            "bags,2026-11-01,2,\nshoes,2026-11-02,7,70\n"))
    assert (result.added, result.changed, result.unchanged) == (1, 1, 1)
    got = {(s.keyword.norm, str(s.period_start)): (s.clicks, s.impressions)
           for s in KeywordStat.select()}
    assert got == {("shoes", "2026-11-01"): (5, 10),  # an empty cell erases nothing
                   ("bags", "2026-11-01"): (2, None),
                   ("shoes", "2026-11-02"): (7, 70)}


def test_totals_and_blank_rows_are_skipped_anywhere_in_a_chunk(store, tmp_path, monkeypatch):
    monkeypatch.setattr(chunking, "CHUNK_ROWS", 4)
    text = ("keyword,date,clicks\nshoes,2026-11-01,1\n,,\nbags,2026-11-01,2\n"
            "Total:,,3\n ,合计,3\nhats,2026-11-01,4\n")
    result = import_file(store, "keyword-stats", write_csv(tmp_path / "k.csv", text))
    assert result.rows_read == 3 and KeywordStat.select().count() == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-50, 50), max_size=40), max_size=12))
def test_seen_keys_find_the_first_row_of_every_repeated_key(batches):
    seen, first, number = chunking.SeenKeys(), {}, 0
    for batch in batches:
        batch = list(dict.fromkeys(batch))  # within a batch, keys are unique by then
        hashes = np.array(batch, dtype=np.int64)
        numbers = list(range(number + 1, number + 1 + len(batch)))
        number += len(batch)
        expected = [first.get(h, 0) for h in batch]
        assert seen.earlier_rows(hashes).tolist() == expected
        fresh = [i for i, h in enumerate(batch) if h not in first]
        for i in fresh:
            first[batch[i]] = numbers[i]
        seen.add(hashes[fresh], [numbers[i] for i in fresh])


@pytest.mark.parametrize("read_size", [7, 1 << 16])
def test_json_is_read_record_by_record(store, tmp_path, monkeypatch, read_size):
    import kwtrack.imports.files as reading

    monkeypatch.setattr(reading, "_JSON_READ", read_size)
    path = tmp_path / "k.json"
    path.write_text(' [ {"keyword": "camping chair", "date": "2026-11-01", "clicks": 3},\n'
                    '{"keyword": "tent", "date": "2026-11-01", "spend": 1.5, "clicks": null} ] \n')
    result = import_file(store, "keyword-stats", path)
    assert result.added == 2
    got = {s.keyword.norm: (s.clicks, s.spend) for s in KeywordStat.select()}
    assert got == {"camping chair": (3, None), "tent": (None, 1.5)}


@pytest.mark.parametrize("text,message", [
    ('{"keyword": "x"}', "k.json: expected a JSON list of records"),
    ('[{"keyword": "x"}, 5]', "k.json: expected a JSON list of records (item 2 is not a record)"),
    ('[{"keyword": "x"} {"keyword": "y"}]',
     "k.json: not valid JSON after record 1: expected , or ]"),
    ('[{"keyword": "x", ', "k.json: not valid JSON after record 0: Expecting property name"),
    ('[{"keyword": "x"}] []', "k.json: not valid JSON: text after the list"),
])
def test_broken_json_is_one_clear_line(store, tmp_path, monkeypatch, text, message):
    import kwtrack.imports.files as reading

    monkeypatch.setattr(reading, "_JSON_READ", 5)
    path = tmp_path / "k.json"
    path.write_text(text)
    before = dump()
    with pytest.raises(KwtrackError) as err:
        import_file(store, "keywords", path)
    assert str(err.value).startswith(message)
    assert dump() == before


def test_duplicates_across_chunks_in_days_already_imported(store, tmp_path, monkeypatch):
    """Known days are upserted, so the import itself must catch a repeated row there."""
    import_file(store, "keyword-stats", write_csv(
        tmp_path / "old.csv", "keyword,date,clicks\nw0,2026-11-01,1\nw1,2026-11-02,1\n"))
    monkeypatch.setattr(chunking, "CHUNK_ROWS", 3)
    rows = [f"w{i},2026-11-0{1 + i % 3},{i}" for i in range(12)]  # days 1, 2 known; 3 new
    rows[9] = "W0,2026-11-01,99"  # repeats row 2 (a known day)
    rows[11] = "w5,2026-11-03,97"  # repeats row 7 (a new day)
    before = dump()
    with pytest.raises(ImportFailed) as err:
        import_file(store, "keyword-stats",
                    write_csv(tmp_path / "k.csv", "keyword,date,clicks\n" + "\n".join(rows)))
    assert sorted(str(err.value).splitlines()) == [
        "k.csv:11: duplicate of row 2 (keyword 'w0', 2026-11-01, channel 'organic')",
        "k.csv:13: duplicate of row 7 (keyword 'w5', 2026-11-03, channel 'organic')"]
    assert dump() == before
    rows[9] = "w9,2026-11-01,9"
    with pytest.raises(ImportFailed) as err:
        import_file(store, "keyword-stats",
                    write_csv(tmp_path / "k.csv", "keyword,date,clicks\n" + "\n".join(rows)))
    assert str(err.value).splitlines() == [
        "k.csv:13: duplicate of row 7 (keyword 'w5', 2026-11-03, channel 'organic')"]
    assert dump() == before


def test_a_big_file_of_new_days_keeps_no_keys_in_memory(store, tmp_path, monkeypatch):
    """Rows of days new to the table rely on the table's unique key, not on remembered keys."""
    monkeypatch.setattr(chunking, "CHUNK_ROWS", 5)
    made = []
    real = chunking.SeenKeys
    import kwtrack.imports.canonical as canonical

    for module in (chunking, canonical):
        monkeypatch.setattr(module, "SeenKeys", lambda: made.append(1) or real())
    result = import_file(store, "keyword-stats", write_csv(tmp_path / "k.csv", stats_csv(60)))
    assert result.added == 60 and made == []


def test_chunks_hold_at_most_chunk_rows_rows_column_by_column(tmp_path, monkeypatch):
    from kwtrack.imports.files import open_table

    monkeypatch.setattr(chunking, "CHUNK_ROWS", 3)
    path = write_csv(tmp_path / "k.csv", "keyword,date,clicks\n"
                     + "".join(f"w{i},2026-11-01,{i}\n" for i in range(7)))
    table = open_table(path)
    header = next(table.rows)[1]
    chunks = list(chunking.read_chunks(importing.KINDS["keyword-stats"], header, table.rows, None))
    assert [c.numbers for c in chunks] == [[2, 3, 4], [5, 6, 7], [8]]
    assert chunks[1].columns["clicks"] == [3, 4, 5]
    assert chunks[0].keyword_forms()[0] == ["w0", "w1", "w2"]
