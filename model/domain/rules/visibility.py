"""R1.3–R1.4: who sees which deal. The store applies the same rule in SQL."""
from __future__ import annotations

from model.domain.schemas import Deal, User


def can_see(user: User, deal: Deal) -> bool:
    if user.is_admin:
        return True
    if user.location is not None and deal.location != user.location:
        return False
    email = user.email.strip().lower()
    return any(p.email.strip().lower() == email for p in deal.team) if email else False
