"""`--json` output is the same text as before the fast encoder: ``json.dumps(to_jsonable(v),
indent=2, ensure_ascii=False)``, byte for byte, on every kind of value the CLI prints."""
from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum, IntEnum

import pytest

from cli.common import to_jsonable
from cli.jsontext import dumps
from model.domain.enums import Substatus, Tab
from model.domain.schemas import Customer, CustomerContact, Person


def reference(value) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)


class Colour(Enum):
    RED = "red"


class Level(IntEnum):
    LOW = 1


class Label(str):
    pass


class Count(int):
    pass


class Ratio(float):
    pass


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**70, 1.5, 1e16, 1e-7, -0.0, float("nan"), float("inf"), float("-inf"),
    "", "plain", "Åsa Ødegård – naïve", 'quote " backslash \\ slash /', "\n\r\t\b\f\x00\x1f\x7f\x9b\u202e",
    "\ud800 lone surrogate", [], {}, (), [[]], {"a": {}}, [{}, [], None],
    Decimal("80000.00"), Decimal("0.1"), Decimal("NaN"), Decimal("-1E+30"),
    date(2026, 11, 20), datetime(2026, 11, 20, 9, 0, tzinfo=UTC), datetime(2026, 11, 20, 9, 0, 0, 123456),
    Tab.INBOUND, Substatus.RECEIVED, Colour.RED, Level.LOW, Label("sub"), Count(3), Ratio(2.5),
    {1: "int key", 2.5: "float key", True: "bool key", None: "none key", "s": "str key"},
    {Tab.CLOSED: "an enum that is a str as key", Level.LOW: "an IntEnum as key"},
    Person(name="Sarah Collins", phone="+44 7700 900 412", email="sarah@example.com"),
    Customer(name="Contoso", contacts=[CustomerContact(name="Nina", email="nina@example.com")]),
    {"deals": [{"id": "x", "team": [Person(name="A"), Person(name="B", company="P2P AB")], "left": None}]},
])
def test_the_text_is_the_standard_librarys(value):
    assert dumps(value) == reference(value)


def test_random_nestings_are_the_same_text():
    rng = random.Random(20261120)
    leaves = [None, True, False, 0, 1, -3, 10**20, 0.25, 3.0, 1e300, "", "x", "ü\u0085", "\x1b[31m",
              Decimal("12.50"), date(2027, 1, 2), datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC), Tab.FAVORITES,
              Substatus.EXPIRED, Level.LOW]

    def make(depth: int):
        kind = rng.random()
        if depth > 4 or kind < 0.45:
            return rng.choice(leaves)
        if kind < 0.7:
            return [make(depth + 1) for _ in range(rng.randrange(0, 4))]
        if kind < 0.8:
            return tuple(make(depth + 1) for _ in range(rng.randrange(0, 3)))
        keys = ["a", "b", "ä", "", 1, 2.5, None, True]
        return {rng.choice(keys): make(depth + 1) for _ in range(rng.randrange(0, 5))}

    for _ in range(400):
        value = make(0)
        assert dumps(value) == reference(value)


@pytest.mark.parametrize("value", [object(), {1, 2}, {(1, 2): "tuple key"}, timedelta(hours=1)])
def test_what_json_refuses_is_refused_the_same_way(value):
    with pytest.raises(TypeError) as ours:
        dumps(value)
    with pytest.raises(TypeError) as theirs:
        reference(value)
    assert str(ours.value) == str(theirs.value)
