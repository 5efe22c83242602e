"""Fault injection: deterministic mutants of real returns (both template versions) and the harness that runs them
through `xltools check` and `xltools consolidate`. ``make test`` runs a fast subset (tests/test_faults.py);
``make test-faults`` the long run (``python -m tests.faults.run``)."""
