"""R1.3–R1.4: who sees which deal (the pure rule; the SQL twin is checked in the service tests)."""
from __future__ import annotations

import pytest

from factories import ADMIN, SELLER_SE, TEAM
from deal_support import outbound_deal
from model.domain.enums import Role
from model.domain.rules.visibility import can_see
from model.domain.schemas import Person, User

OTHER_TEAM = [Person(name="Carol", phone="+47 22 00 00 00", email="carol@contoso-partner.com")]


@pytest.mark.parametrize("location, team, seen", [
    ("Sweden", TEAM, True),          # in location and on the team
    ("Sweden", OTHER_TEAM, False),   # in location, not on the team
    ("Norway", TEAM, False),         # on the team, other location
])
def test_r1_3_scoped_user_needs_location_and_team(location, team, seen):  # R1.3
    assert can_see(SELLER_SE, outbound_deal(location=location, team=team)) is seen


@pytest.mark.parametrize("admin", [ADMIN, ADMIN.model_copy(update={"location": "Finland"})],
                         ids=["global-admin", "scoped-admin"])
def test_r1_4_admins_see_every_deal_regardless_of_location(admin):  # R1.4
    assert can_see(admin, outbound_deal(location="Norway", team=OTHER_TEAM))


def test_r1_3_user_without_location_scope_sees_deals_on_whose_team_they_are():  # R1.3
    roaming = User(login="dan", email="BOB@Contoso-Partner.com ", role=Role.USER, location=None)
    assert can_see(roaming, outbound_deal(location="Norway", team=TEAM))   # email compared case-insensitively
    assert not can_see(roaming, outbound_deal(location="Norway", team=OTHER_TEAM))


def test_r1_3_user_without_email_cannot_be_on_a_team():  # R1.3
    assert not can_see(User(login="ghost", role=Role.USER, location="Sweden"), outbound_deal(team=TEAM))
