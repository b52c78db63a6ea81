"""The benchmarks still run (tiny sizes, no timing assertions)."""

from tests.bench import bench_import


def test_import_benchmark_smoke():
    figures = bench_import.run(2_000, repeats=1)
    assert figures["rows"] == 2_000 and figures["kwtrack_rows_per_s"] > 0
