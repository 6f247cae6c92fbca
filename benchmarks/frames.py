"""When did the screen actually repaint? A frame recorder for pilot benchmarks.

Textual paints by rendering the dirty regions (``Screen._compositor_refresh``)
and handing the update to ``App._display``; in a headless pilot run the update
is still rendered, only not written to a terminal. Wrapping ``_display`` on the
app *instance* (the app's code is untouched) gives the time of every painted
frame, together with a snapshot of whatever state the benchmark asks about,
taken at that moment. "Keystroke → table repainted" is then the time from the
key press to the first frame whose snapshot shows the new content: no guess
about when a worker finished or a message was handled.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable


class FrameTimeout(RuntimeError):
    pass


class FrameRecorder:
    """Records ``(perf_counter, probe())`` for every frame the app paints."""

    def __init__(self, app, probe: Callable[[], Any]):
        self.app = app
        self.probe = probe
        self.frames: list[tuple[float, Any]] = []
        original = app._display

        def display(screen, renderable) -> None:
            if renderable is not None and not app._batch_count:
                self.frames.append((time.perf_counter(), probe()))
            return original(screen, renderable)

        app._display = display

    async def first_frame(self, where: Callable[[Any], bool], *, after: float, timeout: float = 30.0) -> float:
        """Time of the first frame painted after ``after`` whose snapshot satisfies ``where``."""
        deadline = time.perf_counter() + timeout
        seen = 0
        while True:
            frames = self.frames
            for i in range(seen, len(frames)):
                t, state = frames[i]
                if t >= after and where(state):
                    return t
            seen = len(frames)
            if time.perf_counter() > deadline:
                last = frames[-1][1] if frames else None
                try:
                    where_now = f"screen {self.app.screen!r}, focus {self.app.focused!r}"
                except Exception:  # noqa: BLE001 - the app may be gone; the timeout is what matters
                    where_now = "app gone"
                raise FrameTimeout(f"no matching frame within {timeout:.0f} s (last frame: {last!r}; {where_now})")
            await asyncio.sleep(0.001)

    def clear(self) -> None:
        self.frames.clear()


async def press(app, key: str) -> None:
    """Send one key as the terminal driver would, without the pilot's wait for an idle process.

    ``Pilot.press`` waits until this process's CPU use drops (up to a second,
    twice per key); a benchmark that polls for frames never looks idle, so it
    would measure the pilot's patience instead of the app.
    """
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)
    await asyncio.sleep(0)
