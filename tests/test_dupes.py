"""Duplicate listings: precision and recall on a labelled set of realistic titles."""

from __future__ import annotations

import itertools
import json
import random

from click.testing import CliRunner

from kwtrack.cli import cli
from kwtrack.duplicates import duplicate_clusters
from kwtrack.words import model_codes

NOUNS = ["Walking Shoes", "Camping Chair", "Storage Box", "Yoga Mat", "LED Desk Lamp",
         "Water Bottle", "Phone Case", "Backpack", "Hiking Boots", "Coffee Mug"]
FEATURES = ["Lightweight", "Waterproof", "Portable", "Foldable", "Breathable", "Durable",
            "Eco-Friendly", "Non-Slip", "Insulated", "Rechargeable"]
OPENERS = ["2026 New Arrival", "Hot Sale", "Custom Logo", "High Quality", "Factory Price"]
RELIST = [("Wholesale", "for Importers and Wholesalers"), ("Factory Direct", "for Online Sellers"),
          ("OEM ODM Private Label", "with Custom Logo")]


def labelled_titles(seed: int = 7) -> tuple[dict[str, str], set[frozenset[str]]]:
    """Titles (ID → title) and the true duplicate pairs.

    Three shapes: templated titles that differ only in a model code (not duplicates),
    models relisted under rewritten titles (duplicates), and code-less titles rewritten by word
    order or plurals (duplicates) beside code-less titles of other products sharing words.
    """
    rng = random.Random(seed)
    titles: dict[str, str] = {}
    groups: list[list[str]] = []
    n = 0

    def add(title: str) -> str:
        nonlocal n
        n += 1
        titles[f"P{n}"] = title
        return f"P{n}"

    codes = iter(rng.sample(range(100, 999), 400))
    pairs = rng.sample(list(itertools.combinations(FEATURES, 2)), len(NOUNS))
    for noun, (f1, f2) in zip(NOUNS, pairs, strict=True):
        opener = rng.choice(OPENERS)
        for _ in range(8):  # a template: same words, other codes
            code = f"{rng.choice('AKLR')}{next(codes)}"
            first = add(f"{opener} {f1} {f2} {noun} for Outdoor Travel Model {code}")
            group = [first]
            if rng.random() < 0.4:  # relisted under rewritten titles
                for lead, tail in rng.sample(RELIST, rng.randint(1, 2)):
                    group.append(add(f"{lead} {f2} {noun} {code} {tail}"))
            groups.append(group)
        # code-less titles: a word-order / plural rewrite is a duplicate ...
        base = f"{f1} {f2} {noun} with Gift Box Packaging"
        a = add(base)
        b = add(f"{f2} {f1} {noun}s with Gift Box Packaging")
        groups.append([a, b])
        # ... another product sharing some words is not
        other = rng.choice([x for x in NOUNS if x != noun])
        groups.append([add(f"{f1} {f2} {other} with Gift Box Packaging")])
    truth = {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}
    return titles, truth


# Real-shaped titles (after a footwear and a kitchen store's exports): groups of duplicate
# listings, each a list of titles; a group of one is a product listed once.
REAL_SHAPED = [
    # digit-only model numbers, marked in one title and bare in another
    ["School Shoes Model 201 for Boys Black", "Boys School Shoes 201 Solid Mesh Black"],
    ["School Shoes Model 202 for Boys Black"],
    ["Women's Ankle Boots Style No. 7212 EU 35-45", "Ankle Boots 7212 Women Winter Warm"],
    ["Women's Ankle Boots Style No. 7213 EU 35-45"],
    # sizes, years and quantities are not codes: these are one listing reworded
    ["Running Shoes EU 38-47 2026 New Breathable", "2026 New Breathable Running Shoes EU 38-47"],
    ["Paper Cups 20 Pack Disposable 500ml", "Disposable Paper Cups 500ml 20 Pack"],
    # a colour suffix is another product
    ["Leather Loafers HR030-A Black Men Casual"], ["Leather Loafers HR030-B Brown Men Casual"],
    # one model relisted three times under rewritten titles
    ["Wholesale Breathable Mesh Sneakers L1026 for Importers",
     "Breathable Mesh Sneakers L1026 Collection for Retailers",
     "OEM Custom Logo Breathable Mesh Sneakers L1026"],
    ["Wholesale Breathable Mesh Sneakers L1027 for Importers"],
    # a title that is another plus a couple of words, no code to tell them apart
    ["Bamboo Cutting Board Set 3 Pieces",
     "3 Pieces Bamboo Cutting Board Set with Juice Groove"],
    # the same words written Lace-Up and Lace Up
    ["Lace-Up Canvas Sneakers for Women Summer", "Lace Up Canvas Sneakers for Women Summer"],
    # other products sharing many words
    ["Bamboo Bath Mat Non-Slip for Shower"], ["Canvas Tote Bag for Women Summer Beach"],
    ["Stainless Steel Cutting Board Set with Juice Groove"],
]


def real_shaped_titles() -> tuple[dict[str, str], set[frozenset[str]]]:
    titles, truth = {}, set()
    for g, group in enumerate(REAL_SHAPED):
        ids = [f"R{g}-{i}" for i in range(len(group))]
        titles.update(zip(ids, group, strict=True))
        truth.update(frozenset(p) for p in itertools.combinations(ids, 2))
    return titles, truth


def predicted_pairs(titles):
    return {frozenset(p) for c in duplicate_clusters(titles)
            for p in itertools.combinations(c.ids, 2)}


def test_precision_and_recall_on_labelled_titles():
    generated, generated_truth = labelled_titles()
    real, real_truth = real_shaped_titles()
    titles, truth = {**generated, **real}, generated_truth | real_truth
    found = predicted_pairs(titles)
    true_positive = len(found & truth)
    precision = true_positive / len(found)
    recall = true_positive / len(truth)
    print(f"dupes on {len(titles)} labelled titles: precision {precision:.3f}, "
          f"recall {recall:.3f} ({len(truth)} true pairs)")
    assert precision >= 0.98 and recall >= 0.95
    assert real_truth <= found  # every real-shaped duplicate is found
    assert not {p for p in found - truth if p <= set(real)}  # and nothing else among them


def test_two_words_said_in_one_still_meet():
    """Titles scoring 90 or more that differ by two adjacent words for one (`Walking Shoes`
    for `Towel`, `Non-Slip`, two words here, for `Summer`) are scored: the pairs that
    brute force found and the one-word files missed. Found either way round."""
    from kwtrack.duplicates import SIMILAR, TitleIndex, is_duplicate

    pairs = [("Outdoor Breathable Women's Walking Shoes with Gift Box Wholesale",
              "Women's Outdoor Wholesale Towel with Gift Box Breathable"),
             ("Portable Men's Insulated Walking Shoes with Gift Box Non-Slip",
              "Men's Summer Insulated Walking Shoes with Gift Box Portable")]
    for two, one in pairs:
        assert is_duplicate(two, one)[1] == SIMILAR
        for first, second in ((two, one), (one, two)):
            assert [c.ids for c in duplicate_clusters({"a": first, "b": second})] == [["a", "b"]]
        # asked about the title with the two words, the index finds the one with one
        assert [d.product_id for d in TitleIndex({"b": one}).near_duplicates(two)] == ["b"]


def test_a_cluster_never_holds_two_model_codes():
    """A code-less title like several templated ones joins the one it matches best."""
    titles = {"A": "Casual Walking Shoes for Men Breathable Mesh A502",
              "B": "Casual Walking Shoes for Men Breathable Mesh A503",
              "C": "Casual Walking Shoes for Men Breathable Mesh",
              "D": "Wholesale Casual Walking Shoes A503 for Importers"}
    from kwtrack.duplicates import is_duplicate

    assert is_duplicate(titles["C"], titles["A"]) and is_duplicate(titles["C"], titles["B"])
    clusters = duplicate_clusters(titles)
    assert all(len(c.codes) == 1 for c in clusters)
    assert sorted(c.ids for c in clusters) == [["A", "C"], ["B", "D"]]


def test_templated_titles_with_other_codes_are_not_duplicates():
    titles = {"a": "Casual Walking Shoes Model A502 for Men", "b":
              "Casual Walking Shoes Model A503 for Men", "c": "Casual Walking Shoes HR030-A"}
    assert duplicate_clusters(titles) == []
    assert model_codes("Shoes HR030-A 2026 3D 35-46") == {"HR030-A"}
    assert model_codes("Cups 500ml 2.5mm 20pcs 5000mAh EU38 20 Pack 2026") == set()
    assert model_codes("School Shoes Model 201") == {"201"}
    assert model_codes("Walking Shoes 201 Solid Mesh") == set()  # alone, 201 is a number
    assert model_codes("Walking Shoes 201 Solid Mesh", frozenset({"201"})) == {"201"}


def test_cli_dupes_json_shape(demo_db):
    result = CliRunner().invoke(cli, ["--db", str(demo_db), "dupes", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["threshold"] == 90 and data["clusters"]
    cluster = data["clusters"][0]
    assert set(cluster) == {"products", "score", "reason", "codes", "differing_words"}
    assert all(c["reason"] == "same model code" for c in data["clusters"])  # demo relistings
    codes = [set.intersection(*(set(model_codes(p["title"])) for p in c["products"]))
             for c in data["clusters"]]
    assert all(codes)


def test_cli_dupes_text_shows_what_each_listing_earns(demo_db):
    """Each listing's recent impressions and clicks and its keyword count, as `products
    list` has them: the operator keeps the listing that earns."""
    from kwtrack.catalog import product_rows
    from kwtrack.store.database import get_store

    result = CliRunner().invoke(cli, ["--db", str(demo_db), "dupes"])
    assert result.exit_code == 0, result.output
    clusters = json.loads(CliRunner().invoke(cli, ["--db", str(demo_db), "dupes", "--json"])
                          .stdout)["clusters"]
    first = clusters[0]["products"][0]
    row = product_rows(get_store(), [first["product_id"]])[first["product_id"]]
    assert row.impressions  # (the demo's listings have stats)
    line = next(x for x in result.stdout.splitlines() if first["product_id"] in x)
    assert line.split() == [first["product_id"], "impr", f"{row.impressions:,}", "clicks",
                            f"{row.clicks:,}", "keywords", str(row.keywords),
                            *first["title"].split()]
    listings = sum(len(c["products"]) for c in clusters)
    assert f"{len(clusters)} clusters, {listings} listings" in result.stderr


def test_title_within_title_is_found_however_common_the_words():
    """Among hundreds of code-less titles sharing words (each word's titles ANDed as bits,
    not intersected as sets), every title holding all of another's four words or more is
    met: as brute force over every pair finds it, asked of the index or of the whole."""
    from kwtrack.duplicates import TitleIndex, title_words
    from kwtrack.wordsets import TitleWords

    rng = random.Random(11)
    vocabulary = [*FEATURES[:6], "Gift", "Box", "Shoes", "Chair"]
    titles = {f"T{i}": " ".join(rng.sample(vocabulary, rng.randint(4, 8))) for i in range(600)}
    words = {i: title_words(t) for i, t in titles.items()}
    truth = {(a, b) for a in titles for b in titles
             if a != b and len(words[a]) >= 4 and words[a] <= words[b]}
    assert len(truth) > 1000 and min(
        sum(w in ws for ws in words.values()) for w in words["T0"]) > TitleWords.AS_BITS
    index = TitleIndex(titles)
    pairs = {frozenset(p) for p in index.pairs()}
    assert all(frozenset(p) in pairs for p in truth)
    for a in rng.sample(sorted(titles), 40):
        met = index.met_by(titles[a])
        assert {b for x, b in truth if x == a} <= met
