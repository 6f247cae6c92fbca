"""What every service call needs: where the data is, what time it is, who acts."""
from __future__ import annotations

from dataclasses import dataclass

from model.clock import Clock
from model.domain.schemas import User
from model.store import Store


@dataclass
class Ctx:
    store: Store
    clock: Clock
    user: User

    def now(self):
        return self.clock.now()
