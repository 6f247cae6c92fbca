"""The collector while a face starts: one rule for the CLI and the dashboard (issue 10, B1/B12).

Start-up (imports, the store, the first screen or the command's context) makes a few hundred
thousand objects that all live as long as the process, and with the default threshold (700) the
collector keeps re-scanning them. Both faces collect rarely until start-up is over, then go back
to the default; only the face knows whether what start-up made may be frozen (``gc.freeze``:
never scanned again), so it says so. No Textual and no SQLAlchemy here: the CLI imports this
before anything else of the model, so it must stay this small.
"""
from __future__ import annotations

import gc

#: The young generation's threshold until start-up is over.
STARTUP_GC_THRESHOLD = 50_000


class QuietStart:
    """Collect rarely from now until ``started``; ``close`` puts the thresholds back whatever happened.

    ``freeze``: at ``started``, freeze what exists. The dashboard asks for it once its first page
    is shown (those objects live for the session); the CLI only when the process ends with the
    command (in process, as in tests, freezing would keep a caller's garbage out of reach).
    """

    def __init__(self, *, freeze: bool) -> None:
        self.freeze = freeze
        self.saved = gc.get_threshold()
        self.over = False
        gc.set_threshold(STARTUP_GC_THRESHOLD, *self.saved[1:])

    def started(self) -> None:
        """Start-up is over (once: a second call, a later page or context, changes nothing)."""
        if self.over:
            return
        self.over = True
        if self.freeze:
            gc.freeze()
        gc.set_threshold(*self.saved)

    def close(self) -> None:
        """Back to the thresholds found, even if start-up failed before ``started``."""
        self.over = True
        gc.set_threshold(*self.saved)
