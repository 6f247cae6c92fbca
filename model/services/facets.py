"""What the dashboard's quick filters may offer, from the deals in view (never every value there is)."""
from __future__ import annotations

from model.domain.listing import DealQuery
from model.domain.stages import Stage
from model.services.context import Ctx
from model.store import reads

__all__ = ["stages_in_view"]


def stages_in_view(ctx: Ctx, query: DealQuery) -> list[Stage]:
    """The stages the deals of ``query`` are in (its own stage filter aside), in stage-track order
    (``model.domain.listing.STAGE_TRACK``). Received, declined and expired deals never reached a
    stage (R8.1, R8.5) and add none: the `g` filter cycles through these and nothing else."""
    with ctx.store.read() as session:
        return reads.stages_in_view(session, ctx.user, query, ctx.now())
