"""The grid's pages: a window of a query read from its order's index, never by counting rows.

A list is ordered by (sort key, id) with the keyless rows after the others (``model.store.queries``),
so it has up to two parts: the rows with a key, then those without, each read in index order. A page
is the ``size`` rows after the last row of the page before it (``PageWant.after``) or before the first
row of the page after it (``before``); the last page is read backwards from the end, so End costs what
Home costs. Only a jump into the middle with no neighbour in memory skips rows (OFFSET), from
whichever end is nearer.

The count comes first, in the same read, so the pages and the "N match" agree. On SQLite it also
picks how a text filter is answered: few matches are read from the narrow (tab, search_text) index
and sorted; many are found by walking the order's index, which meets a page's worth soon.
"""
from __future__ import annotations

from sqlalchemy import func, literal_column, select

from model.domain.enums import Tab
from model.domain.listing import DealPage, DealQuery, DealView, PageKey, PageWant
from model.domain.schemas import User
from model.store.queries import SortSpec, sort_spec, text_words, where
from model.store.tables import DealRecord

#: At most this many text matches are read from the filter's index and sorted, rather than found by
#: walking the order's index (which reads about ``size × tab ÷ matches`` rows for a page).
SORT_MATCHES_BELOW = 500


def count(session, conds) -> int:
    return session.scalar(select(func.count()).select_from(DealRecord).where(*conds)) or 0


def view(session, user: User, q: DealQuery, now, wants: list[PageWant], row_columns, to_row,
         total: int | None = None) -> DealView:
    """The count and the pages ``wants`` of ``q``, in the caller's one read transaction (``total``:
    the count as this same read already knows it)."""
    conds = where(q, user, now)
    found, hint = _few_matches(session, q, conds)
    if found is not None:
        total = found
    elif total is None:
        total = count(session, conds)
    spec = sort_spec(q)
    pages = [_page(session, conds, spec, want, total, hint, row_columns, to_row) for want in wants]
    return DealView(total, pages)


def page_at(session, user: User, q: DealQuery, now, offset: int, limit: int, row_columns, to_row) -> list:
    """Rows ``offset`` … ``offset + limit`` of ``q`` (the CLI's lists): walked from the start."""
    conds = where(q, user, now)
    _found, hint = _few_matches(session, q, conds)
    rows = _walk(session, conds, sort_spec(q), None, reverse=False, limit=limit, offset=max(offset, 0), hint=hint,
                 row_columns=row_columns)
    return [to_row(r) for r, _key in rows]


def _few_matches(session, q: DealQuery, conds) -> tuple[int | None, object]:
    """SQLite, a text filter on a real tab: the matches' rowids, read from the narrow (tab, search_text)
    index in one pass. Fewer than ``SORT_MATCHES_BELOW``: (their count, "rowid IN those") for the pages,
    so the haystacks are read once per filter, never once for the count and again per page.
    More (or another engine, or no words): (None, None), and the pages walk the order's index."""
    if session.get_bind().dialect.name != "sqlite" or not text_words(q) or q.tab is Tab.FAVORITES:
        return None, None
    rowid = literal_column("deals.rowid")
    found = session.scalars(select(rowid).select_from(DealRecord).where(*conds).limit(SORT_MATCHES_BELOW)).all()
    if len(found) >= SORT_MATCHES_BELOW:
        return None, None
    return len(found), rowid.in_(found)


def _page(session, conds, spec: SortSpec, want: PageWant, total: int, hint, row_columns, to_row) -> DealPage:
    start = want.index * want.size
    size = min(want.size, total - start)
    if size <= 0:
        return DealPage(want.index, [], None, None)
    walk = dict(hint=hint, row_columns=row_columns)
    if want.after is not None:
        rows = _walk(session, conds, spec, want.after, reverse=False, limit=size, **walk)
    elif want.before is not None:
        rows = _walk(session, conds, spec, want.before, reverse=True, limit=size, **walk)
    elif start + size >= total or start > total - start - size:
        rows = _walk(session, conds, spec, None, reverse=True, limit=size, offset=total - start - size, **walk)
    else:
        rows = _walk(session, conds, spec, None, reverse=False, limit=size, offset=start, **walk)
    if not rows:
        return DealPage(want.index, [], None, None)
    return DealPage(want.index, [to_row(r) for r, _k in rows], rows[0][1], rows[-1][1])


def _walk(session, conds, spec: SortSpec, start: PageKey | None, *, reverse: bool, limit: int, offset: int = 0,
          hint, row_columns) -> list[tuple]:
    """Up to ``limit`` (row, key) pairs after ``start`` (``reverse``: before it), skipping ``offset``,
    in the query's order. A key is (keyless, sort value, id)."""
    parts = [False, True] if spec.nullable else [False]
    if reverse:
        parts.reverse()
    if start is not None:
        parts = parts[parts.index(bool(start[0])):]
    out: list[tuple] = []
    for keyless in parts:
        need = limit - len(out)
        if need <= 0:
            break
        part = [spec.key.is_(None) if keyless else spec.key.is_not(None)] if spec.nullable else []
        if start is not None and bool(start[0]) == keyless:
            part.append(spec.beyond_null(start[2], reverse=reverse) if keyless
                        else spec.beyond(start[1], start[2], reverse=reverse))
        elif not keyless and spec.nullable and session.get_bind().dialect.name == "sqlite":
            part += spec.floor(reverse=reverse)  # (PostgreSQL uses IS NOT NULL as the range itself)
        order = spec.ordered_nulls(reverse=reverse) if keyless else spec.ordered(reverse=reverse)
        stmt = select(*row_columns, spec.key.label("sort_key")).where(*conds, *part).order_by(*order).limit(need)
        if hint is not None:
            stmt = stmt.where(hint)
        if offset:
            stmt = stmt.offset(offset)
        got = session.execute(stmt).all()
        if offset and not got:
            offset -= count(session, [*conds, *part])  # every row of this part was skipped
            offset = max(offset, 0)
            continue
        offset = 0
        out += [(r, (keyless, None if keyless else r.sort_key, r.id)) for r in got]
    if reverse:
        out.reverse()
    return out
