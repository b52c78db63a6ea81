"""The benchmarks still run (tiny sizes, no timing assertions)."""

from tests.bench import bench_import


def test_import_benchmark_smoke():
    figures = bench_import.run(2_000, repeats=1)
    assert figures["rows"] == 2_000 and figures["kwtrack_rows_per_s"] > 0


def test_coverage_benchmark_smoke(capsys):
    from tests.bench import bench_coverage

    bench_coverage.main(300)
    out = capsys.readouterr().out
    assert "coverage check --zero-effect: 60 candidates" in out and "kwtrack finds" in out
    assert "whole command" in out and "command floor" in out


def test_tui_benchmark_smoke(capsys):
    from tests.bench import bench_tui

    bench_tui.main(3_000)
    out = capsys.readouterr().out
    for step in ("open", "G", "sort", "filter"):
        assert f"{step:>6}: TUI " in out and "ratio" in out
