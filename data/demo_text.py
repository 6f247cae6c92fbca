"""Words for the demo deals: projects, notes and customer contacts, as sales teams write them.

Templates take ``{customer}`` (the customer's short name), ``{solution}``, ``{partner}``,
``{seller}`` and ``{amount}``; ``data.demo_deals`` fills them in.
"""
from __future__ import annotations

PROJECTS = {
    "ip_cosell": (
        "Data platform modernization", "Fabric analytics rollout", "AI document processing",
        "Customer insights on Azure", "Landing zone and governance", "Managed SOC onboarding",
        "Field service optimization", "Sales accelerator pilot", "Predictive maintenance",
        "Supply chain visibility", "Data estate consolidation", "Agentic customer service",
    ),
    "services_cosell": (
        "Azure migration wave 1", "Copilot adoption programme", "Zero trust identity hardening",
        "SAP on Azure assessment follow-up", "Modern workplace rollout", "Dynamics 365 implementation",
        "Sentinel deployment", "AVD for branch offices", "Data governance with Purview",
        "Kubernetes platform build", "Contact centre modernization", "Finance and operations upgrade",
    ),
    "solution_assessment": (
        "Data & AI readiness assessment", "Security posture assessment", "Migration readiness assessment",
        "Modern work assessment", "Business applications assessment",
    ),
}

OPENING_NOTES = (
    "{customer} wants to consolidate its on-prem SQL estate before the data centre lease ends. "
    "Budget owner is the CIO; decision expected next quarter.",
    "Met {customer}'s IT director at the partner event. They asked for a proposal around {solution}.",
    "{customer} runs a tender for {solution}-type capabilities; we are on the shortlist with two others.",
    "Existing customer of ours. Expansion from the pilot to all business units, roughly {amount}.",
    "{customer} has a MACC commitment to burn down; {solution} counts towards it.",
    "Inbound web lead, qualified on a call: clear pain, budget approved, timeline within six months.",
)
MICROSOFT_NOTES = (
    "Hi team, {customer} asked their Microsoft account team for a partner with {solution} experience. "
    "Can you reach out this week? — {seller}",
    "{customer} is a strategic account for us this fiscal year. They need help with {solution}; "
    "please accept and book a discovery call. — {seller}",
    "Customer signalled budget for Q3. Looking for a partner to lead delivery; we can fund a workshop. — {seller}",
    "Referral from the customer's CTO after a briefing in our office. Contact details in the deal. — {seller}",
)
PARTNER_NOTES = (
    "{partner} here: we own the customer relationship and need your {solution} IP for the data layer.",
    "We won the framework agreement with {customer}; looking for a co-delivery partner for the Azure part.",
)
PROGRESS_NOTES = (
    "Discovery workshop held with {customer}; three use cases prioritised.",
    "Technical deep dive done. Architecture agreed, POC scoped for six weeks.",
    "Proposal sent to procurement; {amount} over three years.",
    "Customer asked for references in their industry; sent two case studies.",
    "Negotiating payment terms; legal review of the MSA started.",
    "Microsoft seller joined the call and confirmed funding for the POC.",
    "Security review passed; waiting for the steering group decision.",
)
ACCEPT_NOTES = (
    "Accepted. First meeting booked with {customer} for next week.",
    "Good fit with our {solution} practice. Called the customer, they are keen to start.",
    "Accepted after internal qualification; account owner assigned.",
)
WON_NOTES = (
    "Contract signed by {customer}. Deployment starts next month.",
    "PO received for {amount}. Kick-off scheduled.",
)
LOST_NOTES = (
    "{customer} went with a competitor that bundled managed services.",
    "Project postponed to next fiscal year after budget cuts.",
)
DECLINE_NOTES = (
    "Outside our focus area; suggested another partner to the Microsoft seller.",
    "We have no capacity in that region before next quarter.",
)
HELP_NOTES = (
    "Asking Microsoft for help with {solution} licensing questions and an architecture review.",
    "Need Microsoft's support for a proof of concept and an executive sponsor meeting.",
    "Requesting Microsoft funding for a POC and a joint customer presentation.",
)
INVITE_NOTES = (
    "Could you cover the integration work? We bring the {solution} licences and the project lead.",
    "Looking for your managed services team for run and operate after go-live.",
)
REGISTRATION_MESSAGES = {
    "ActionRequired": "Upload the signed customer contract: the customer name on the contract could not be verified.",
    "Rejected": "The contract's customer does not match the deal's customer account.",
    "Approved": "Registration approved; the deal counts towards your co-sell incentives.",
}
AWKWARD_NAME = "{customer}: [bold red]URGENT[/] renewal [link=https://example.com]click[/link]"
AWKWARD_NOTE = "Pasted from CRM export: \x1b[31mHOT LEAD\x1b[0m \x1b]0;title\x07call back before Friday"

FIRST_NAMES = {
    "nordic": ("Anna", "Erik", "Karin", "Lars", "Sofia", "Johan", "Maja", "Mikael", "Ingrid", "Henrik",
               "Liisa", "Juha", "Sanna", "Ola", "Kari", "Freja", "Mads"),
    "uk": ("Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack", "Sophie", "Thomas", "Grace"),
    "us": ("Michael", "Jennifer", "David", "Jessica", "Chris", "Ashley", "Brian", "Megan", "Kevin", "Laura"),
    "de": ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Maximilian", "Laura"),
    "eu": ("Pierre", "Camille", "Marco", "Giulia", "Javier", "Lucía", "Daan", "Sanne", "Élodie", "Luca"),
}
LAST_NAMES = {
    "nordic": ("Andersson", "Nilsson", "Hansen", "Johansen", "Virtanen", "Korhonen", "Jensen", "Berg",
               "Lindqvist", "Nielsen", "Mäkinen", "Dahl"),
    "uk": ("Smith", "Jones", "Taylor", "Brown", "Evans", "Wilson", "Hughes", "Patel", "Walker", "Wright"),
    "us": ("Johnson", "Miller", "Davis", "Garcia", "Martinez", "Anderson", "Thomas", "Moore", "Clark", "Lee"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Wagner"),
    "eu": ("Dubois", "Rossi", "García", "de Vries", "Moreau", "Bianchi", "Jansen", "López"),
}
REGION = {"SE": "nordic", "NO": "nordic", "DK": "nordic", "FI": "nordic", "GB": "uk", "US": "us",
          "DE": "de", "AT": "de", "CH": "de", "FR": "eu", "ES": "eu", "IT": "eu", "NL": "eu"}
PHONE_PREFIX = {"SE": "+46 8", "NO": "+47 22", "DK": "+45 33", "FI": "+358 9", "GB": "+44 20", "US": "+1 425",
                "DE": "+49 30", "AT": "+43 1", "CH": "+41 44", "FR": "+33 1", "ES": "+34 91", "IT": "+39 02",
                "NL": "+31 20"}
LOCATION_OF = {"SE": "Sweden", "NO": "Norway", "DK": "Denmark", "FI": "Finland", "GB": "United Kingdom",
               "US": "United States", "DE": "Germany", "AT": "Germany", "CH": "Germany"}
CURRENCY_OF = {"SE": "SEK", "NO": "NOK", "GB": "GBP", "US": "USD"}  # everyone else: EUR
LEGAL_FORMS = {"ab", "(publ)", "aktiebolag", "hb", "as", "asa", "a/s", "aps", "oy", "oyj", "gmbh", "ag", "kg",
               "&", "co.", "ltd", "ltd.", "limited", "plc", "inc", "inc.", "llc", "corp", "corporation",
               "incorporated", "co", "company", "sa", "sas", "sarl", "s.a.", "s.l.", "sl", "s.p.a.", "spa",
               "srl", "s.r.l.", "b.v.", "bv", "n.v."}


def short_name(name: str) -> str:
    """'Lindberg Logistik AB (publ)' -> 'Lindberg Logistik': how sellers name the customer in a deal."""
    words = [w for w in name.split() if w.lower() not in LEGAL_FORMS]
    words = words or name.split()
    short = " ".join(words[:3])
    return short.title() if short.isupper() else short
