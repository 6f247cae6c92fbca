"""R10.1: deal values compared in USD using monthly exchange rates.

One conversion rule for every face (the list, JSON, CSV, the detail and the registration
check): a deal's value is converted at the rate of the month it closed (won, lost, declined…);
a deal still open, at the month of its close date, when the outcome is expected; without a
close date, at the month it was created. ``usd_day`` says which day that is. Rates live in ``data/fx_rates.csv`` (month, currency, USD per unit). A month
without a published rate uses the latest earlier month; a currency with no
rate at all is an error the user sees, never a silent 1:1.
"""
from __future__ import annotations

import csv
import re
from bisect import bisect_right
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources

CURRENCY = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=1)
def _rates() -> dict[str, tuple[list[str], list[Decimal]]]:
    table: dict[str, list[tuple[str, Decimal]]] = {}
    text = resources.files("data").joinpath("fx_rates.csv").read_text()
    for row in csv.DictReader(text.splitlines()):
        table.setdefault(row["currency"], []).append((row["month"], Decimal(row["usd_per_unit"])))
    out = {}
    for cur, pairs in table.items():
        pairs.sort()
        out[cur] = ([m for m, _ in pairs], [r for _, r in pairs])
    return out


def known_currencies() -> list[str]:
    return sorted(_rates())


def rate(currency: str, on: date) -> Decimal:
    months, values = _rates().get(currency.upper(), (None, None))
    if months is None:
        raise ValueError(f"no exchange rate for currency {currency!r}; known: {', '.join(known_currencies())}")
    i = bisect_right(months, f"{on.year:04d}-{on.month:02d}")
    return values[max(i - 1, 0)]


def usd_day(closed_at: datetime | None, close_date: date | None, created_at: datetime) -> date:
    """The day whose month's rate converts a deal's value (the module doc's one rule)."""
    if closed_at is not None:
        return closed_at.date()
    return close_date or created_at.date()


def to_usd(amount: Decimal | float | int, currency: str, on: date) -> Decimal:
    if currency.upper() == "USD":
        return Decimal(amount)
    return (Decimal(amount) * rate(currency, on)).quantize(Decimal("0.01"))
