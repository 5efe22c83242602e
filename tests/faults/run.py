"""The long fault-injection run (``make test-faults``): N generated inputs through `xltools check` and `xltools
consolidate`, and the figures the README quotes.

    .venv/bin/python -m tests.faults.run [--inputs 1100] [--seed 1] [--batch 50] [--parallel 2]

Each input is a mutant of a real return (:mod:`tests.faults.mutants`). Every input goes through ``xltools check``
(bound: 5 s); every batch of ``--batch`` inputs, with two good returns, through ``xltools consolidate --jobs 2``
(bound: 5 s an input). Prints the figures and every failure; exit 1 when any figure but "inputs" is not 0.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.faults import harness, mutants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args(argv)
    figures: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    slowest = 0.0
    started = time.perf_counter()
    good = mutants.SOURCES[:1] + mutants.SOURCES[-1:]
    generated = mutants.generate(args.inputs, args.seed)
    with tempfile.TemporaryDirectory(prefix="xltools-faults-") as tmp, ThreadPoolExecutor(args.parallel) as pool:
        for number in range(0, args.inputs, args.batch):
            batch = [next(generated) for _ in range(min(args.batch, args.inputs - number))]
            folder = Path(tmp) / f"batch{number // args.batch:03d}"
            folder.mkdir()
            paths = []
            for m in batch:
                (folder / m.name).write_bytes(m.data)
                paths.append(folder / m.name)
                kinds[m.kind] += 1
            for m, answer in zip(batch, pool.map(harness.check, paths), strict=True):
                figures["inputs"] += 1
                slowest = max(slowest, answer.seconds)
                if not answer.ok:
                    figures[answer.verdict] += 1
                    failures.append(f"check {m.name} (from {m.source.name}): {answer.verdict}: {answer.detail}")
            for g in good:
                shutil.copy(g, folder / f"good-{g.name}")
            answer = harness.consolidate(folder, Path(tmp) / f"out{number}.xlsx", [folder / f"good-{g.name}" for g in good],
                                         bound=harness.BOUND * (len(batch) + len(good)) + 30)
            figures["batches"] += 1
            if not answer.ok:
                figures[f"batch {answer.verdict}"] += 1
                failures.append(f"consolidate {folder.name}: {answer.verdict}: {answer.detail}")
            shutil.rmtree(folder)
            print(f"{figures['inputs']} inputs, {len(failures)} failures, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
    crashes = figures["crash"] + figures["batch crash"]
    hangs = figures["hang"] + figures["batch hang"]
    lost = figures["lost"] + figures["batch lost"]
    broken = figures["broken"] + figures["batch broken"]
    print(f"inputs {figures['inputs']} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"consolidations {figures['batches']}: crashes {crashes}, hangs {hangs}, lost {lost}, "
          f"broken outputs {broken}; slowest check {slowest:.2f} s; {time.perf_counter() - started:.0f} s in all")
    for line in failures:
        print(line)
    return 1 if crashes or hangs or lost or broken else 0


if __name__ == "__main__":
    sys.exit(main())
