"""`cosell accounts import | search`: the customer-account catalogue from a shell (R4).

``import`` loads a catalogue CSV all or nothing (a bad line is named, and
nothing is written). ``search`` is the new-deal customer search: ranked
matches per tab (Microsoft Managed, Microsoft Unmanaged, Other), tolerant of
typos, legal suffixes, abbreviations, word order and parent-company names.
"""
from __future__ import annotations

import argparse

from cli import common
from model.domain.enums import AccountTab

_TABS = {"managed": AccountTab.MANAGED, "unmanaged": AccountTab.UNMANAGED, "other": AccountTab.OTHER}


def _limit(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return n


def _import(args) -> int:
    from model.services.accounts import import_accounts_csv, norm_is_stale, refresh_norm_names

    ctx = common.context(args)
    n = import_accounts_csv(ctx.store, args.file)
    print(f"imported {n} account{'s' if n != 1 else ''} from {common.safe(args.file)}")
    if norm_is_stale(ctx.store):  # names stored under older matching rules
        print(f"re-normalised {refresh_norm_names(ctx.store)} stored names for search")
    return common.EXIT_OK


def _location(account) -> str:
    return ", ".join(p for p in (account.city, account.country) if p)


def _hit_json(tab, hit) -> dict:
    from model.services.accounts import choosable

    ok, reason = choosable(tab, hit.account)
    return {**hit.account.model_dump(mode="json"), "score": hit.score,
            "linked": [a.model_dump(mode="json") for a in hit.linked],
            "possible_duplicate": hit.possible_duplicate, "via_parent": hit.via_parent,
            "choosable": ok, "not_choosable_reason": reason}


def _search(args) -> int:
    from model.domain.rules.customer import customer_choice_notes
    from model.services.accounts import choosable, open_matcher

    ctx = common.context(args)
    matcher = open_matcher(ctx.store)  # the stored index; built and stored first if stale
    result = matcher.search(args.query, city_or_country=args.location, limit=args.limit, more=args.more)
    tabs = [_TABS[args.tab]] if args.tab else list(_TABS.values())
    if args.json:
        common.print_json({
            "query": args.query, "location": args.location, "more": args.more,
            "counts": {t.value: result.counts[t] for t in tabs},
            "tabs": {t.value: [_hit_json(t, h) for h in result.tabs[t]] for t in tabs},
            "notes": {t.value: customer_choice_notes(t) for t in tabs},
        })
        return common.EXIT_OK
    for n, tab in enumerate(tabs):
        hits = result.tabs[tab]
        if n:
            print()
        print(f"{tab.label}: {len(hits)} shown of {result.counts[tab]} matching")
        if not hits:
            continue
        rows = []
        for hit in hits:
            acc = hit.account
            ok, _reason = choosable(tab, acc)
            federal = ("yes" if ok else "yes, choose from Other (R4.6)") if acc.federal else ""
            rows.append([acc.account_id, acc.name, _location(acc), "MACC" if acc.macc else "", federal,
                         str(len(hit.linked)) if hit.linked else "",
                         "may be duplicate" if hit.possible_duplicate else "",
                         f"parent: {acc.parent_name}" if hit.via_parent else "", f"{hit.score:.0f}"])
        common.print_table(["ACCOUNT", "NAME", "LOCATION", "MACC", "FEDERAL", "LINKED", "DUPLICATE",
                            "VIA", "SCORE"], rows)
        for note in customer_choice_notes(tab):
            print(f"  note: {note}")
    if not args.more and not any(result.tabs[t] for t in tabs):
        print("no matches; try --more, a shorter name, or the parent company's name (R4.8)")
    return common.EXIT_OK


def register(sub) -> None:
    group = sub.add_parser("accounts", help="the customer-account catalogue: import, search (R4)",
                           description="Import the customer-account catalogue and search it as the "
                                       "new-deal wizard does (R4).")
    verbs = group.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)

    p = verbs.add_parser("import", help="import a catalogue CSV (all or nothing)",
                         description="Columns: account_id, name, tab (managed|unmanaged|other), linked_group, "
                                     "duns, city, country, macc, federal, parent_name. Booleans: true/false, "
                                     "1/0, yes/no. Re-importing an account_id updates it. A bad line is "
                                     "reported by line and field and nothing is written.")
    p.add_argument("file", metavar="FILE.csv")
    p.set_defaults(handler=_import)

    p = verbs.add_parser("search", help="search customers by name (typos, suffixes, parent names)",
                         description="The index searched is built once per state of the catalogue and stored "
                                     "in $COSELL_CACHE_DIR/search-index (default: the user cache dir, "
                                     "~/.cache/cosell on Linux); a stale or damaged one is rebuilt first.")
    p.add_argument("query", metavar="QUERY", help="the customer's name, as well as you remember it")
    p.add_argument("--tab", choices=list(_TABS), help="show one tab only")
    p.add_argument("--location", metavar="TEXT", help="city or country (name or ISO code)")
    p.add_argument("--more", action="store_true", help="search more: looser matching, more results")
    p.add_argument("--limit", type=_limit, default=20, metavar="N", help="rows per tab (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_search, only_reads=True)
