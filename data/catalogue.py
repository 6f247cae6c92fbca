"""Reference data a partner's co-sell workspace starts from: the solutions catalogue (R6.5,
with the flags R6.7 and R10.2 look at), co-sell partners to invite (R7.4), the team
roster, the program locations (R1.2), and the services vocabularies (R5.2, R11.2).

The partner is "Contoso Partner", a Nordic Microsoft partner (the ``contoso-partner.com``
people of the tests). Every company and person here is made up; e-mail addresses
outside our own domain use the reserved ``.example`` top-level domain.
"""
from __future__ import annotations

import unicodedata

from sqlalchemy.orm import Session

from model.domain.enums import RegistrationKind as RK, Role, SolutionSource as Src
from model.domain.schemas import Partner, Person, Solution, User
from model.store.tables import PartnerRecord, SolutionRecord, UserRecord

OUR_COMPANY = "Contoso Partner"
OUR_DOMAIN = "contoso-partner.com"

#: R1.2: program location scopes a deal can be created in.
LOCATIONS = ("Sweden", "Norway", "Denmark", "Finland", "United Kingdom", "Germany", "United States")

#: Solution areas and their plays (R5: required for services co-sell, optional for IP co-sell).
SOLUTION_AREAS: dict[str, tuple[str, ...]] = {
    "AI Business Solutions": ("Copilot and agents at work", "Sales transformation with AI",
                              "Service transformation with AI", "Finance and supply chain transformation"),
    "Cloud & AI Platforms": ("Migrate and modernize your estate", "Unify your data platform",
                             "Innovate with Azure AI apps and agents"),
    "Security": ("Modern SecOps with a unified platform", "Protect cloud, AI platform and apps",
                 "Data security", "Secure identities and access"),
}

#: R5.2 / R11.2: the partner program (solutions partner designation) a services deal runs under.
PARTNER_PROGRAMS = (
    "Solutions Partner for Data & AI (Azure)",
    "Solutions Partner for Infrastructure (Azure)",
    "Solutions Partner for Digital & App Innovation (Azure)",
    "Solutions Partner for Business Applications",
    "Solutions Partner for Modern Work",
    "Solutions Partner for Security",
)


def _s(solution_id, name, source, publisher, *, macc=False, incentivized=False, kind=None, ready=True) -> Solution:
    return Solution(solution_id=solution_id, name=name, source=source, publisher=publisher,
                    macc_eligible=macc, incentivized=incentivized, registration_kind=kind, cosell_ready=ready)


SOLUTIONS: tuple[Solution, ...] = (
    # R6.5 "My company's solutions"
    _s("SOL-CP-INSIGHTS", "Contoso Insights on Azure", Src.MY_COMPANY, OUR_COMPANY,
       macc=True, incentivized=True, kind=RK.AZURE_IP_COSELL),
    _s("SOL-CP-DATAHUB", "Contoso DataHub for Microsoft Fabric", Src.MY_COMPANY, OUR_COMPANY,
       macc=True, incentivized=True, kind=RK.AZURE_IP_COSELL),
    _s("SOL-CP-LANDINGZONE", "Contoso Azure Landing Zone Accelerator", Src.MY_COMPANY, OUR_COMPANY,
       macc=True, kind=RK.AZURE_IP_COSELL),
    _s("SOL-CP-SOC", "Contoso Managed SOC with Microsoft Sentinel", Src.MY_COMPANY, OUR_COMPANY,
       macc=True, incentivized=True, kind=RK.AZURE_IP_COSELL),
    _s("SOL-CP-FIELD", "Contoso Field Service Optimizer for Dynamics 365", Src.MY_COMPANY, OUR_COMPANY,
       incentivized=True, kind=RK.BIZAPPS_PREMIUM),
    _s("SOL-CP-SALES", "Contoso Sales Accelerator for Dynamics 365 Sales", Src.MY_COMPANY, OUR_COMPANY,
       kind=RK.BIZAPPS_STANDARD),
    _s("SOL-CP-COPILOT", "Contoso Copilot Adoption Kit", Src.MY_COMPANY, OUR_COMPANY, ready=False),
    # R6.5 "Microsoft"
    _s("MS-AZURE-OPENAI", "Azure OpenAI Service", Src.MICROSOFT, "Microsoft", macc=True),
    _s("MS-FABRIC", "Microsoft Fabric", Src.MICROSOFT, "Microsoft", macc=True),
    _s("MS-AKS", "Azure Kubernetes Service", Src.MICROSOFT, "Microsoft", macc=True),
    _s("MS-AVD", "Azure Virtual Desktop", Src.MICROSOFT, "Microsoft", macc=True),
    _s("MS-SENTINEL", "Microsoft Sentinel", Src.MICROSOFT, "Microsoft", macc=True),
    _s("MS-D365-SALES", "Dynamics 365 Sales", Src.MICROSOFT, "Microsoft"),
    _s("MS-D365-FIELD", "Dynamics 365 Field Service", Src.MICROSOFT, "Microsoft"),
    _s("MS-M365-COPILOT", "Microsoft 365 Copilot", Src.MICROSOFT, "Microsoft"),
    # R6.5 "Other third-party solutions"
    _s("SOL-FAB-VAULT", "Fabrikam Data Vault", Src.THIRD_PARTY, "Fabrikam, Inc.",
       macc=True, incentivized=True, kind=RK.AZURE_IP_COSELL),
    _s("SOL-LIT-DOCS", "Litware Document Intelligence", Src.THIRD_PARTY, "Litware, Inc.",
       macc=True, incentivized=True, kind=RK.AZURE_IP_COSELL),
    _s("SOL-ADT-IDGUARD", "Adatum Identity Guard", Src.THIRD_PARTY, "Adatum Corporation", macc=True),
    _s("SOL-TWT-POS", "Tailwind Retail POS for Dynamics 365", Src.THIRD_PARTY, "Tailwind Traders",
       kind=RK.BIZAPPS_STANDARD),
    _s("SOL-WWI-EDI", "Wide World EDI Connector", Src.THIRD_PARTY, "Wide World Importers"),
    _s("SOL-NWT-HR", "Northwind People Suite", Src.THIRD_PARTY, "Northwind Traders", incentivized=True),
    # R6.5 "Solution assessments" (R2.4: one per SA deal, nothing else)
    _s("SA-DATA-AI", "Data & AI assessment", Src.ASSESSMENT, "Microsoft"),
    _s("SA-SECURITY", "Security assessment", Src.ASSESSMENT, "Microsoft"),
    _s("SA-MIGRATION", "Azure migration and modernization assessment", Src.ASSESSMENT, "Microsoft"),
    _s("SA-MODERN-WORK", "Modern work assessment", Src.ASSESSMENT, "Microsoft"),
    _s("SA-BIZAPPS", "Business applications assessment", Src.ASSESSMENT, "Microsoft"),
)

#: R7.4: co-sell partners that can be invited to a P2P deal.
PARTNERS: tuple[Partner, ...] = tuple(
    Partner(partner_id=f"PRT-{i:03d}", name=name, mpn_id=str(6_100_000 + i * 7_919), location=where)
    for i, (name, where) in enumerate((
        ("Fabrikam Consulting AB", "Sweden"),
        ("Lamna Data AB", "Sweden"),
        ("Litware Nordic AS", "Norway"),
        ("Coho Cloud AS", "Norway"),
        ("Tailspin Digital ApS", "Denmark"),
        ("Adatum Solutions Oy", "Finland"),
        ("Relecloud Services Oy", "Finland"),
        ("Proseware Ltd", "United Kingdom"),
        ("Trey Research Ltd", "United Kingdom"),
        ("Woodgrove Systems GmbH", "Germany"),
        ("Bellows Analytics GmbH", "Germany"),
        ("Alpine Ski House Consulting Inc.", "United States"),
        ("Wingtip Analytics LLC", "United States"),
        ("Humongous Integration Inc.", "United States"),
    ), start=1)
)


_ASCII = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ä": "a", "ö": "o", "ü": "u", "ß": "ss", "'": ""})


def mail_local(name: str) -> str:
    """'Mette Sørensen' -> 'mette.sorensen': the local part of a made-up e-mail address."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_ASCII)).encode("ascii", "ignore").decode()
    return ".".join(text.split())


def _p(name: str, phone: str) -> Person:
    return Person(name=name, phone=phone, email=f"{mail_local(name)}@{OUR_DOMAIN}")


#: Our sellers and solution specialists, with the location each works in.
ROSTER: tuple[tuple[Person, str], ...] = (
    (_p("Erik Lundqvist", "+46 70 412 33 18"), "Sweden"),
    (_p("Sara Holm", "+46 73 208 90 41"), "Sweden"),
    (_p("Johan Bergström", "+46 76 555 12 07"), "Sweden"),
    (_p("Ingrid Haugen", "+47 912 44 310"), "Norway"),
    (_p("Lars Johansen", "+47 934 18 762"), "Norway"),
    (_p("Mette Sørensen", "+45 28 91 40 73"), "Denmark"),
    (_p("Mikko Virtanen", "+358 40 771 2093"), "Finland"),
    (_p("Aino Laine", "+358 50 339 8812"), "Finland"),
    (_p("Sarah Collins", "+44 7700 900 412"), "United Kingdom"),
    (_p("James Whitfield", "+44 7700 900 836"), "United Kingdom"),
    (_p("Katrin Weber", "+49 151 2345 6781"), "Germany"),
    (_p("Emily Carter", "+1 425 555 0147"), "United States"),
    (_p("Daniel Reyes", "+1 206 555 0193"), "United States"),
)

#: Microsoft sellers who send inbound opportunities (R3.1).
MICROSOFT_SELLERS: tuple[tuple[str, str], ...] = (
    ("Maria Lindgren", "maria.lindgren@microsoft.example"),
    ("Anders Nyberg", "anders.nyberg@microsoft.example"),
    ("Kari Solberg", "kari.solberg@microsoft.example"),
    ("Heidi Mäkelä", "heidi.makela@microsoft.example"),
    ("Thomas Wright", "thomas.wright@microsoft.example"),
    ("Laura Fischer", "laura.fischer@microsoft.example"),
    ("Kevin O'Brien", "kevin.obrien@microsoft.example"),
    ("Priya Raman", "priya.raman@microsoft.example"),
)


def referral_users() -> list[User]:
    """R1.3: referral users with a location scope; their e-mails are on some deals' teams."""
    picks = (0, 3, 6, 8)  # one seller each in Sweden, Norway, Finland and the UK
    out = []
    for i in picks:
        person, where = ROSTER[i]
        out.append(User(login=person.email.split("@")[0], display_name=person.name, email=person.email,
                        phone=person.phone, role=Role.USER, location=where))
    return out


def people_in(location: str) -> list[Person]:
    return [p for p, where in ROSTER if where == location]


def solutions_by_source(source: Src) -> list[Solution]:
    return [s for s in SOLUTIONS if s.source is source]


# -- into a database --------------------------------------------------------------------------

def write_catalogue(session: Session) -> tuple[int, int]:
    """Put the solutions and partners into the store (re-running refreshes them)."""
    for s in SOLUTIONS:
        session.merge(SolutionRecord(
            solution_id=s.solution_id, name=s.name, source=s.source.value, publisher=s.publisher,
            macc_eligible=s.macc_eligible, incentivized=s.incentivized,
            registration_kind=s.registration_kind.value if s.registration_kind else None,
            cosell_ready=s.cosell_ready))
    for p in PARTNERS:
        session.merge(PartnerRecord(partner_id=p.partner_id, name=p.name, mpn_id=p.mpn_id, location=p.location))
    session.info["wrote"] = True
    return len(SOLUTIONS), len(PARTNERS)


def write_users(session: Session, users: list[User]) -> int:
    for u in users:
        session.merge(UserRecord(login=u.login, display_name=u.display_name, email=u.email, phone=u.phone,
                                 role=u.role.value, location=u.location))
    session.info["wrote"] = True
    return len(users)
