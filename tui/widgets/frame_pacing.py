"""Frames on Textual's 60 fps beat, never a beat late.

A screen paints on its update timer (``screen_update``, one tick per 1/60 s, paused while
nothing changes). When that timer wakes from a pause later than its next beat, Textual's
``Timer._run`` skips ahead to the beat *after* the next one, so the frame after a frame that
followed a quiet spell waits 17-33 ms instead of up to 17 ms: exactly the frame a key's rows come
in (the key's own echo was the frame before). ``SteadyFrames`` gives a screen an update timer that
goes to the next beat (``next_beat``); everything else is Textual's timer. Where Textual's
internals are not as expected, the screen keeps Textual's own timer.
"""
from __future__ import annotations

import math

from textual import _time
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer


def next_beat(start: float, now: float, interval: float) -> int:
    """The count of the first beat (``start + count * interval``) at or after ``now``."""
    return max(math.ceil((now - start) / interval), 1)


class FrameTimer(Timer):
    """Textual's ``Timer`` whose catch-up after a pause waits for the next beat, not the one after."""

    async def _run(self) -> None:
        count = 0
        interval = self._interval
        await self._active.wait()
        start = _time.get_time()
        while self._repeat is None or count <= self._repeat:
            now = _time.get_time()
            due = start + (count + 1) * interval
            if self._skip and due < now:
                count = next_beat(start, now, interval) - 1
                due = start + (count + 1) * interval
            await _time.sleep(max(0.0, due - now))
            count += 1
            await self._active.wait()
            if self._reset:
                start, count, self._reset = _time.get_time(), 0, False
                continue
            try:
                await self._tick(next_timer=due, count=count)
            except EventTargetGone:
                break


#: The parts of Textual's ``Timer`` that ``FrameTimer._run`` uses (set in ``__init__`` or class-level).
_EXPECTED = all(hasattr(Timer, name) for name in ("_run", "_tick", "_active")) and \
    {"_interval", "_skip", "_reset", "_repeat"} <= set(Timer.__init__.__code__.co_names)


class SteadyFrames:
    """Mixin for a ``Screen``: its update timer is a ``FrameTimer`` (see the module doc)."""

    @property
    def _update_timer(self) -> Timer:
        timer = getattr(self, "_Screen__update_timer", False)
        if timer is False or not _EXPECTED:  # not the Textual this was written for: its own timer
            return super()._update_timer
        if timer is None:
            timer = self.set_interval(UPDATE_PERIOD, self._on_timer_update, name="screen_update", pause=True)
            timer.__class__ = FrameTimer  # before its task first runs: ``_run`` is looked up then
            self._Screen__update_timer = timer
        return timer
