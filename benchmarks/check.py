"""How fast is checking one form? Not a test: run it and read the figures.

    .venv/bin/python benchmarks/check.py [FILE] [--runs N]

Measures, on one returned form (default: the first of examples/returns/):
* in-process: xltools.engine.check_file (read with python-calamine + every rule), median of N runs;
* the same read done with openpyxl (normal mode, values only) for comparison, median of N runs;
* `xltools check FILE` as a new process, interpreter start and imports included, median of a few runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    path = args.file or sorted((ROOT / "examples" / "returns").glob("*.xlsx"))[0]

    import openpyxl

    from xltools import spec
    from xltools.engine import check_file

    result = check_file(path)
    print(f"form: {path.name} ({len(result.findings)} findings, "
          f"{len(result.declaration.indicators) if result.declaration else 0} indicators)")
    engine_ms = median_ms(lambda: check_file(path), args.runs)

    def openpyxl_read() -> None:
        wb = openpyxl.load_workbook(path, data_only=True)
        ws = wb[spec.FORM_SHEET]
        [[c.value for c in row] for row in ws.iter_rows(max_row=spec.build().last_row)]

    openpyxl_ms = median_ms(openpyxl_read, max(5, args.runs // 5))
    exe = str(Path(sys.executable).parent / "xltools")
    cli_runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([exe, "check", str(path)], capture_output=True, check=False)
        cli_runs.append((time.perf_counter() - start) * 1000)
    print(f"{'what':<48} {'median ms':>10}")
    print(f"{'check_file in-process (calamine + all rules)':<48} {engine_ms:>10.1f}")
    print(f"{'openpyxl load_workbook + read values only':<48} {openpyxl_ms:>10.1f}")
    print(f"{'`xltools check FILE` new process, end to end':<48} {statistics.median(cli_runs):>10.1f}")


if __name__ == "__main__":
    main()
