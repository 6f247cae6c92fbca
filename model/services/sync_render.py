"""A stored deal as the referral Partner Center should hold: what pushes are made from.

The same mapping as ``cosell export`` (``model.partner_center.rows``), without what is
cosell's own (the ``cosell`` extension: versions, the notes log, stage marks) or Partner
Center's to write (id, eTag, timestamps, links). Two renderings of one deal differ exactly in
what changed, so their JSON Patch is the change.
"""
from __future__ import annotations

from datetime import datetime

from model.partner_center.patch import SERVER_KEYS
from model.partner_center.rows import rows_to_referral


def render(rows) -> dict:
    return {k: v for k, v in rows_to_referral(rows).items() if k not in SERVER_KEYS}


def state_row(deal_id: str, etag: str | None, version: int, base: dict, at: datetime) -> dict:
    """A deal in step: Partner Center confirmed ``base`` at ``version`` with ``etag``."""
    return {"deal_id": deal_id, "etag": etag, "synced_version": version, "base": base, "state": "in_step",
            "reason": None, "theirs": None, "theirs_etag": None, "attempts": 0, "last_error": None, "updated_at": at}
