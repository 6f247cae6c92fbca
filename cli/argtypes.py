"""Argument types for the deal commands: a bad value is a usage error (exit 2) before anything is opened."""
from __future__ import annotations

import argparse
from datetime import date, timedelta
from decimal import Decimal, DecimalException

from cli import common
from model.domain.enums import parse_enum


#: An amount has at most 16 digits before the point (what a referral file may carry, too).
MAX_DIGITS = 16


def decimal(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "").replace("_", ""))
    except DecimalException:  # InvalidOperation, or Overflow for an exponent past the context's
        amount = None
    if amount is None or amount.is_nan():
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if amount.is_infinite() or (amount and amount.adjusted() >= MAX_DIGITS):  # adjusted(): no rounding, no overflow
        raise argparse.ArgumentTypeError(f"{value!r} is too large: at most 16 digits before the point")
    return amount


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def currency(value: str) -> str:
    return value.strip().upper()


#: Counts, offsets and versions fit the database's 32-bit integers.
MAX_COUNT = 2**31 - 1


def count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must not be negative")
    if n > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{value!r} is too large (at most {MAX_COUNT})")
    return n


def version(value: str) -> int:
    n = count(value)
    if n < 1:
        raise argparse.ArgumentTypeError("versions start at 1")
    return n


def duration(value: str) -> timedelta:
    try:
        return common.parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def enum_of(enum_type):
    """An argument type accepting a value, member name or label of ``enum_type`` (any case)."""
    def convert(value: str):
        try:
            return parse_enum(enum_type, value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = enum_type.__name__
    return convert
