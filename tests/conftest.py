"""Shared fixtures. Keep small: helpers that several test modules need live in their own modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from xltools import spec
from xltools.template import write_template

REPO = Path(__file__).resolve().parent.parent
COMMITTED_TEMPLATE = REPO / "templates" / spec.TEMPLATE_FILENAME


@pytest.fixture(scope="session")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated default template (year, password from the spec), written once per session."""
    return write_template(tmp_path_factory.mktemp("template"))
