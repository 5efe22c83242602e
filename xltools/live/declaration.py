"""The declaration's live checks, assembled: every rule a formula can decide for the 申报表 and its framework."""

from __future__ import annotations

from xltools import data, spec
from xltools.live.budget import check_budget, check_subprojects
from xltools.live.counts import counts, grids, started
from xltools.live.coverage import LIVE_CODES
from xltools.live.explain import explained
from xltools.live.fields import check_fields
from xltools.live.indicators import check_indicators
from xltools.live.layout import GRIDS, Layout, Lists, form_columns


def build(form: spec.FormSpec, framework: data.Framework, lists: Lists, *, unit_locked: bool) -> Layout:
    """Every live-check cell for ``form`` (the current template version) and ``framework``."""
    lay = Layout(form)
    # Grids first, so they sit at the left of the area where a person inspecting the sheet looks first.
    for grid in GRIDS:
        for letter in form_columns(form):
            lay.col(f"{grid}@{letter}")
    check_budget(check_fields(lay, form, lists))
    check_subprojects(lay, form)
    check_indicators(lay, form, framework)
    started(lay, form, unit_locked, (("s_filled", "subprojects"), ("i_filled", "indicators")))
    grids(lay, form)
    counts(lay)
    explained(lay, LIVE_CODES)
    return lay
