"""Exports use the canonical columns, neutralise formulas, and import back to the same data."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from kwtrack.cli import cli
from kwtrack.exports import EXPORT_KINDS, IMPORT_KIND, export_rows, write_export
from kwtrack.imports import import_file
from kwtrack.store.database import get_store, open_database
from kwtrack.store.models import Product

from .conftest import write_csv


def snapshot(store) -> dict[str, list]:
    """Every export kind's rows, as comparable lists."""
    return {kind: [list(map(str, row)) for row in export_rows(store, kind)[1]]
            for kind in EXPORT_KINDS}


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_then_import_into_empty_database_gives_the_same_data(demo_db, tmp_path, fmt):
    store = get_store()
    before = snapshot(store)
    kinds = EXPORT_KINDS
    if fmt == "xlsx":  # writing 80,000 stats rows with openpyxl is slow; CSV/JSON cover them
        kinds = ("products", "keywords", "coverage", "bids")
        before = {k: v for k, v in before.items() if k in kinds}
    files = {}
    for kind in kinds:
        path = tmp_path / f"{kind}.{fmt}"
        if fmt == "xlsx":
            write_export(store, kind, path, fmt)
        else:
            with path.open("w", encoding="utf-8", newline="") as fh:
                write_export(store, kind, fh, fmt)
        files[kind] = path
    open_database(str(tmp_path / "empty.db"))
    fresh = get_store(create=True)
    for kind in ("keywords", "products", "coverage", "bids", "product-stats", "keyword-stats"):
        if kind in files:
            import_file(fresh, IMPORT_KIND.get(kind, kind), files[kind])
    after = snapshot(fresh)
    for kind in kinds:
        assert after[kind] == before[kind], kind


def test_formula_cells_are_neutralised_and_read_back(store, tmp_path):
    import_file(store, "products", write_csv(tmp_path / "p.csv",
                                             "product_id,title\nP1,\"=HYPERLINK(\"\"x\"\")\"\n"
                                             "P2,@SUM(A1)\nP3,-5% off sandals\n"))
    out = io.StringIO()
    write_export(store, "products", out, "csv")
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("P1,\"'=HYPERLINK") and lines[2].startswith("P2,'@SUM")
    assert lines[3].startswith("P3,'-5% off")
    (tmp_path / "back.csv").write_text(out.getvalue())
    result = import_file(store, "products", tmp_path / "back.csv")
    assert result.unchanged == 3
    assert Product.get(Product.product_id == "P3").title == "-5% off sandals"


def test_cli_export_json_and_stdout(demo_db):
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(demo_db), "export", "bids", "--format", "json"])
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert len(records) == 260 and set(records[0]) == {
        "keyword", "group", "status", "bid", "base_price", "stars", "target_position"}
    bad = runner.invoke(cli, ["--db", str(demo_db), "export", "bids", "--format", "xlsx"])
    assert bad.exit_code == 2 and "needs an output file" in bad.output
