"""The deal grid's memory: a few pages of rows, what is being fetched, and which query they belong to.

The grid never holds all deals: it keeps at most ``MAX_PAGES`` pages of
``PAGE`` rows around the scroll position, each with the keys of its first and last
row, so the page next to one in memory is asked for by key (the store reads just
that page from its index, however deep) and only a jump far away is counted out. Every query change (or reload)
starts a new *generation*; a page that arrives for an older generation is
dropped, so a slow query never paints stale rows over a newer filter.
No Textual here: the widget decides when to fetch, this decides what.
"""
from __future__ import annotations

from model.domain.listing import DealPage, PageWant
from model.domain.schemas import DealRow

PAGE = 100          # rows per fetch
MAX_PAGES = 24      # pages kept in memory (the rest are fetched again when scrolled to)


class PageCache:
    def __init__(self) -> None:
        self.pages: dict[int, list[DealRow]] = {}
        self.keys: dict[int, tuple] = {}     # page -> (first row's key, last row's key)
        self.in_flight: set[int] = set()
        self.wanted: set[int] = set()
        self.generation = 0

    def new_generation(self, *, keep_rows: bool) -> int:
        """A new query (drop the rows) or a reload (keep showing them until fresh ones arrive)."""
        self.generation += 1
        self.in_flight.clear()
        self.wanted.clear()
        if not keep_rows:
            self.pages.clear()
            self.keys.clear()
        return self.generation

    def want_for(self, page: int) -> PageWant:
        """How to ask for ``page``: after the page before it, or before the page after it, if in memory."""
        before, after = self.keys.get(page - 1), self.keys.get(page + 1)
        if before is not None and before[1] is not None:
            return PageWant(page, PAGE, after=before[1])
        if after is not None and after[0] is not None:
            return PageWant(page, PAGE, before=after[0])
        return PageWant(page, PAGE)

    def row(self, index: int) -> DealRow | None:
        rows = self.pages.get(index // PAGE)
        if rows is None or not 0 <= index % PAGE < len(rows):
            return None
        return rows[index % PAGE]

    def rows(self) -> list[DealRow]:
        return [r for p in sorted(self.pages) for r in self.pages[p]]

    def index_of(self, deal_id: str) -> int | None:
        return next((p * PAGE + i for p, rows in self.pages.items() for i, r in enumerate(rows) if r.id == deal_id),
                    None)

    @staticmethod
    def window(top: int, height: int, cursor: int) -> range:
        """The pages that cover the screen and the cursor."""
        return range(min(top, cursor) // PAGE, max(top + height, cursor) // PAGE + 1)

    def want(self, page: int) -> bool:
        """Note that ``page`` is needed; True when it is the first wish since the last ``take_wanted``."""
        if page in self.pages or page in self.in_flight:
            return False
        first = not self.wanted
        self.wanted.add(page)
        return first

    def take_wanted(self) -> list[int]:
        """The pages to fetch now (marked in flight)."""
        pages = sorted(p for p in self.wanted if p not in self.pages and p not in self.in_flight)
        self.wanted.clear()
        self.in_flight.update(pages)
        return pages

    def replace(self, pages: list[DealPage]) -> None:
        self.pages = {p.index: list(p.rows) for p in pages}
        self.keys = {p.index: (p.first, p.last) for p in pages}
        self.in_flight.clear()

    def store(self, generation: int, page: DealPage, here: int, keep: frozenset[int] = frozenset()) -> bool:
        """Keep a fetched page (False if it belongs to an older query); forget the pages farthest from ``here``
        but those in ``keep`` (the first and last pages, which Home and End show)."""
        if generation != self.generation:
            return False
        self.in_flight.discard(page.index)
        self.pages[page.index] = list(page.rows)  # a copy: the grid edits its pages (``drop_row``)
        self.keys[page.index] = (page.first, page.last)
        if len(self.pages) > MAX_PAGES:
            near = here // PAGE
            far = sorted((p for p in self.pages if p not in keep), key=lambda p: abs(p - near), reverse=True)
            for old in far[: len(self.pages) - MAX_PAGES]:
                del self.pages[old]
                self.keys.pop(old, None)
        return True

    @property
    def busy(self) -> bool:
        return bool(self.in_flight or self.wanted)
