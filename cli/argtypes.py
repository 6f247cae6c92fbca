"""Argument types for the deal commands: a bad value is a usage error (exit 2) before anything is opened."""
from __future__ import annotations

import argparse
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from cli import common
from model.domain.enums import parse_enum


def decimal(value: str) -> Decimal:
    try:
        return Decimal(value.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def currency(value: str) -> str:
    return value.strip().upper()


def count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must not be negative")
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
