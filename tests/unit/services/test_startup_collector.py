"""Issue 10 (B1/B12): the collector's start-up rule, written once for both faces.

``model.services.startup.QuietStart`` collects rarely until start-up is over, then puts the
thresholds back, and freezes what start-up made only when the face asks (the dashboard always, the
CLI when the process ends with the command). These tests pin the rule, and that both faces use
this one class, so a copy of it cannot grow back in either face.
"""
from __future__ import annotations

import gc
import inspect

import pytest

from model.services.startup import STARTUP_GC_THRESHOLD, QuietStart


@pytest.fixture(autouse=True)
def _collector_as_found():
    """This process goes on after each test: give back what was frozen and the thresholds."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    yield before
    if gc.get_freeze_count() > frozen:
        gc.unfreeze()
    gc.set_threshold(*before)


def test_start_up_collects_rarely_then_restores_the_thresholds_without_freezing(_collector_as_found):
    before, frozen = _collector_as_found, gc.get_freeze_count()
    quiet = QuietStart(freeze=False)
    assert gc.get_threshold() == (STARTUP_GC_THRESHOLD, *before[1:])  # the older generations untouched
    quiet.started()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen  # not asked: nothing frozen


def test_asked_to_freeze_it_freezes_once_when_start_up_is_over(_collector_as_found):
    before = _collector_as_found
    quiet = QuietStart(freeze=True)
    unfrozen = gc.get_freeze_count()
    quiet.started()
    frozen = gc.get_freeze_count()
    assert frozen > unfrozen and gc.get_threshold() == before
    gc.set_threshold(123, *before[1:])  # the session changed it since: a later call leaves it
    quiet.started()
    assert gc.get_freeze_count() == frozen and gc.get_threshold()[0] == 123


def test_close_restores_the_thresholds_when_start_up_failed_before_it_was_over(_collector_as_found):
    before, frozen = _collector_as_found, gc.get_freeze_count()
    quiet = QuietStart(freeze=True)
    quiet.close()
    assert gc.get_threshold() == before
    quiet.started()  # too late: closed is over, nothing is frozen
    assert gc.get_freeze_count() == frozen


def test_freezing_is_always_an_explicit_choice():
    with pytest.raises(TypeError):
        QuietStart()  # type: ignore[call-arg]


def test_both_faces_use_this_one_rule_and_keep_no_copy_of_it(_collector_as_found):
    from cli import common
    from tui import launch

    dashboard = launch._QuietStart()
    try:
        assert isinstance(dashboard, QuietStart) and dashboard.freeze is True  # the session goes on
    finally:
        dashboard.close()
    assert launch.STARTUP_GC_THRESHOLD is STARTUP_GC_THRESHOLD
    with common.quiet_start(freeze=False):
        assert isinstance(common._starting[-1], QuietStart)
    for face in (common, launch):  # neither face tunes the collector itself
        assert "gc.set_threshold" not in inspect.getsource(face) and "gc.freeze" not in inspect.getsource(face)
