"""Names Partner Center's referral JSON uses, shared by reading it (``shape``) and writing it
(``to_referral``): their own module, so an export does not load the pydantic referral models."""

#: ``invitedBy.organizationId`` of a referral Microsoft sent.
MICROSOFT_ORG = "msft"
#: The key under which cosell keeps the fields Partner Center has no place for.
EXTENSION = "cosell"
