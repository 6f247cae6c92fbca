"""One normalisation for every Partner Center vocabulary: API tokens and page labels alike."""
from __future__ import annotations

import pytest

from model.domain.enums import HelpType, MarketplaceIntent, PartnerRole
from model.domain.reasons import DECLINE_REASONS
from model.partner_center import labels


@pytest.mark.parametrize("text", ["DeploymentServices", "Deployment services", "deployment  SERVICES",
                                  "deployment-services", " Deployment_Services "])
def test_a_partner_role_by_token_or_label(text):
    assert labels.token(PartnerRole, text) == "DeploymentServices"  # R5.2


def test_marketplace_intent_undecided_is_have_not_decided():
    assert labels.token(MarketplaceIntent, "Undecided") == labels.token(MarketplaceIntent, "HaveNotDecided") \
        == "HaveNotDecided"  # R5.1


def test_help_type_unknown_and_labels():
    assert labels.token(HelpType, "Unknown") == "None"
    assert labels.token(HelpType, "proof of concept or demo") == "ProofOfConceptOrDemo"


def test_an_unknown_label_names_the_choices():
    with pytest.raises(ValueError, match=r"'Juggling' is not one of: .*DeploymentServices \(Deployment services\)"):
        labels.token(PartnerRole, "Juggling")


def test_free_vocabularies_take_the_catalogues_spelling():
    assert labels.attribute_value("SolutionArea", "cloud and ai platforms") == "Cloud & AI Platforms"
    assert labels.attribute_value("SolutionPlay", "Something new") == "Something new"  # free text stays
    assert labels.attribute_type("partner role") == "PartnerRole"


def test_reasons_match_the_pick_list_under_the_same_normalisation():
    assert labels.reason("customer NOT interested", DECLINE_REASONS) == "Customer not interested"  # R8.4
    assert labels.reason("Insuff", DECLINE_REASONS) == "Insufficient information"
    assert labels.reason("just because", DECLINE_REASONS) == "just because"  # left for the rules to judge
