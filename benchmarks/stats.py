"""Medians and p95s: these machines are noisy, so figures are distributions, not single runs."""
from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(0.95 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Result:
    """One line of the results table."""

    key: str
    what: str
    unit: str
    samples: list[float]
    target: str
    met: bool | None
    baseline: list[float] = field(default_factory=list)
    baseline_label: str = ""
    note: str = ""
    higher_is_better: bool = False  # rates and hit rates; times and sizes are better lower
    #: Why no figure came out (e.g. "timed out after 30 s waiting for a frame: FrameTimeout ..."): the
    #: harness reports it in the table and goes on with every other figure.
    failed: str = ""
    #: The 1-minute load average when the figure came out (the harness fills it in): a figure taken
    #: while other work competed for the CPU is slower than on an idle machine, and says so.
    load: float | None = None

    @classmethod
    def failure(cls, key: str, what: str, unit: str, target: str, cause: str) -> "Result":
        """A figure that could not be measured, with its cause: reported, never a crash of the run."""
        return cls(key, what, unit, [], target, False, failed=cause)

    @property
    def status(self) -> str:
        """"" for a measured figure, else what the table shows instead of a median: "not measured"
        (nothing to measure it on, e.g. no PostgreSQL), "timed out" or "failed"."""
        if not self.failed:
            return ""
        cause = self.failed.lower()
        if cause.startswith("not measured"):
            return "not measured"
        return "timed out" if "timed out" in cause or "timeout" in cause else "failed"

    def to_json(self) -> dict:
        """Plain values, one JSON line per figure: how a suite run in a child process reports."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Result":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        """The bad tail: the 95th percentile of a time, the 5th of a rate."""
        if self.higher_is_better:
            return -p95([-x for x in self.samples])
        return p95(self.samples)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> str:
        """How many times better than the baseline: its time / ours, or our rate / its rate."""
        base = self.baseline_median
        if base is None or not self.samples:
            return ""
        num, den = (self.median, base) if self.higher_is_better else (base, self.median)
        if den == 0 or num != num or den != den:
            return ""
        return f"{num / den:,.1f}x"


def fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "n/a"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "%":
        return f"{value:,.1f} %"
    if unit == "rec/s":
        return f"{value:,.0f} rec/s"
    return f"{value:,.3g} {unit}"
