"""How a deal reads on a terminal (`cosell show`) and in `--json`, built from the model's rules.

The rules decide; this module only words their answers. Every string that came
from a person or an import goes through ``text`` so a deal name cannot move the
cursor, recolour the terminal or smuggle markup: it prints exactly as typed,
minus escape sequences and control characters.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from cli.common import to_jsonable
from model.domain.enums import TERMINAL_SUBSTATUSES, Direction, Substatus
from model.domain.errors import Violation
from model.domain.rules.lifecycle import (
    Action, available_actions, early_win_warning, expiry_band, format_left, is_received_substatus,
    microsoft_window, next_stage, time_left,
)
from model.domain.rules.registration import eligibility_violations
from model.domain.schemas import Deal, DealRow, Event
from model.domain.stages import Stage, percent, stages_for

from model.domain.text import clean as text, one_line as line  # noqa: E402  (one cleaning rule for every face)


def block(value, indent: str) -> str:
    """``text`` whose later lines are indented under the first (multi-line notes)."""
    return text(value).replace("\n", "\n" + indent)


def clip(value, width: int) -> str:
    s = line(value)
    return s if len(s) <= width else s[: width - 1] + "…"


def short(deal_id: str) -> str:
    return deal_id[:8]


def money(value, currency: str | None) -> str:
    return f"{value:,.2f} {text(currency or '')}".strip()


def when(at: datetime | None) -> str:
    return "" if at is None else f"{at:%Y-%m-%d %H:%M} UTC"


def violation_json(v: Violation) -> dict:
    return {"rule": v.rule, "message": v.message, "field": v.field}


# -- list rows -------------------------------------------------------------------

def row_left(row: DealRow, now: datetime) -> timedelta | None:
    """Time a received inbound row has left to be answered (R8.2); None for every other row."""
    if row.expires_at is None or not is_received_substatus(row.substatus):
        return None
    return row.expires_at - now


def stage_cell(row: DealRow | Deal) -> str:
    """What the deal is doing: Received, its sales stage with %, or how it ended."""
    if is_received_substatus(row.substatus) or row.substatus in TERMINAL_SUBSTATUSES:
        return row.substatus.label
    return f"{row.stage.label} {percent(row.stage)}%"


def row_cells(row: DealRow, now: datetime) -> list[str]:
    return [
        short(row.id), clip(row.name, 36), clip(row.customer_name, 28), row.kind.label,
        row.sale_type.label if row.sale_type else "—", stage_cell(row), money(row.value, row.currency),
        row.close_date.isoformat() if row.close_date else "", format_left(row_left(row, now)),
        "♥" if row.favorite else "",
    ]


ROW_HEADERS = ["ID", "NAME", "CUSTOMER", "KIND", "SALE TYPE", "STAGE", "VALUE", "CLOSE", "EXPIRES IN", "♥"]


def row_json(row: DealRow, now: datetime) -> dict:
    left = row_left(row, now)
    out = to_jsonable(row)
    out.update(short_id=short(row.id), status_text=stage_cell(row), expires_in=format_left(left) or None,
               seconds_left=int(left.total_seconds()) if left is not None else None)
    return out


# -- the deal page ----------------------------------------------------------------

def stage_track(deal: Deal) -> list[dict]:
    """R8.7/R8.8: the deal's stages in order, each with %, MCEM phase and whether it is marked."""
    infos = stages_for(deal.is_assessment)
    entry = Stage.ACCEPTED if deal.direction is Direction.INBOUND and not deal.is_assessment else Stage.CREATED
    reached_entry = deal.direction is Direction.OUTBOUND or deal.accepted_at is not None
    upcoming = next_stage(deal) if not deal.is_terminal and not deal.is_received else None
    out = []
    for info in infos:
        if info.stage in (Stage.CREATED, Stage.ACCEPTED) and info.stage is not entry:
            continue
        if info.stage is entry:
            marked = reached_entry
        elif info.stage is Stage.WON:
            marked = deal.substatus is Substatus.WON
        else:
            marked = info.stage in deal.stages_marked
        out.append({"stage": info.stage.value, "percent": info.percent, "mcem_phase": info.mcem_phase,
                    "exit_criterion": info.exit_criterion, "marked": marked,
                    "current": info.stage is deal.stage and not deal.is_received, "next": info.stage is upcoming})
    return out


def action_list(deal: Deal, now: datetime, user=None) -> list[dict]:
    """Every action with whether ``user`` may take it now, and each reason when not (R8, R9)."""
    out = []
    for action, violations in available_actions(deal, user, now).items():
        entry = {"action": action.value, "label": action.label, "allowed": not violations,
                 "refused_because": [violation_json(v) for v in violations], "warning": None}
        if action is Action.MARK_STAGE and not violations:
            entry["label"] = f"{action.label} ({next_stage(deal).value})"
        if action is Action.WON and not violations:
            warning = early_win_warning(deal, now)
            entry["warning"] = violation_json(warning) if warning else None
        out.append(entry)
    return out


def deal_document(deal: Deal, events: list[Event], now: datetime, user=None) -> dict:
    """The `--json` of `show` and of every write: the deal plus what the rules say about it now."""
    left = time_left(deal, now)
    unmet = eligibility_violations(deal, now)
    window = microsoft_window(deal, now)
    doc = to_jsonable(deal)
    doc.update(
        tab=deal.tab.value,
        time_left=format_left(left) or None,
        seconds_left=int(left.total_seconds()) if left is not None else None,
        expiry_band=expiry_band(left),
        microsoft_window=None if window is None else {"deadline": window[0].isoformat(), "lapsed": window[1]},
        stage_track=stage_track(deal),
        actions=action_list(deal, now, user),
        registration_eligibility={"eligible": not unmet, "unmet": [violation_json(v) for v in unmet]},
        history=to_jsonable(events),
    )
    return doc


def summary_line(deal: Deal) -> str:
    """One line after a write: which deal, where it stands, and the version to pass next time."""
    return (f'{short(deal.id)} "{line(deal.name)}": {stage_cell(deal)} · {deal.status.label}'
            f"{' ♥' if deal.favorite else ''} · version {deal.version}")


def _field(label: str, value) -> str:
    return f"  {label:<19}{value}"


def _header(deal: Deal, now: datetime) -> list[str]:
    c = deal.customer
    where = ", ".join(text(p) for p in (c.city, c.country) if p)
    flags = [c.match.label] + ([where] if where else []) + (["MACC"] if c.macc else []) + (
        ["federal"] if c.federal else [])
    out = [f"{line(deal.name)}{'  ♥' if deal.favorite else ''}",
           _field("Id", f"{deal.id}  (version {deal.version})"),
           _field("Deal", " · ".join(x for x in (deal.direction.label, deal.kind.label,
                                                  deal.sale_type.label if deal.sale_type else "") if x)),
           _field("Status", f"{deal.status.label} / {deal.substatus.label} · {stage_cell(deal)}"),
           _field("Customer", f"{line(c.name)} ({'; '.join(flags)})"),
           _field("Location", line(deal.location)),
           _field("Value", money(deal.value, deal.currency)),
           _field("Close date", deal.close_date.isoformat() if deal.close_date else "—")]
    optional = [("CRM ID", deal.crm_id), ("Campaign ID", deal.campaign_id),
                ("Marketplace intent", deal.marketplace_intent.label if deal.marketplace_intent else None),
                ("Partner role", deal.partner_role.label if deal.partner_role else None),
                ("Partner program", deal.partner_program), ("Solution area", deal.solution_area),
                ("Solution play", deal.solution_play)]
    out += [_field(k, line(v)) for k, v in optional if v]
    out.append(_field("Microsoft", f"{deal.microsoft_status.label}; help: {deal.help_type.label}"))
    window = microsoft_window(deal, now)
    if window:
        out.append(_field("Microsoft window", f"{'lapsed' if window[1] else 'ends'} {when(window[0])} (R7.3)"))
    if deal.direction is Direction.INBOUND:
        sender = line(deal.sender_name or "?") + (f" <{line(deal.sender_email)}>" if deal.sender_email else "")
        out.append(_field("Sent by", sender + (" (Microsoft)" if deal.sender_is_microsoft else "")))
    left = time_left(deal, now)
    if left is not None:
        out.append(_field("Answer within", f"{format_left(left)} (expires {when(deal.expires_at)}, R8.2)"))
    if deal.closed_at:
        reason = f" — {line(deal.status_reason)}" if deal.status_reason else ""
        out.append(_field("Closed", when(deal.closed_at) + reason))
    return out


def _value(v) -> str:
    """A value in the history: lists by their entries, nothing as a dash."""
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v) or "—"
    if isinstance(v, dict):
        return ", ".join(f"{line(k)}={_value(x)}" for k, x in v.items()) or "—"
    return "—" if v is None or v == "" else line(v)


def _change(key, value) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{line(key)}: {_value(value[0])} → {_value(value[1])}"
    if isinstance(value, dict):
        return "; ".join(_change(f"{key}.{k}", v) for k, v in value.items())
    return f"{line(key)}: {_value(value)}"


def _changes(changes: dict) -> str:
    return "; ".join(_change(k, v) for k, v in changes.items())


def show_text(deal: Deal, events: list[Event], now: datetime, user=None) -> str:
    out = _header(deal, now)
    out += ["", "Stages (R8.7)"]
    for s in stage_track(deal):
        mark = "[x]" if s["marked"] else ("[>]" if s["next"] else "[ ]")
        here = "  ← current" if s["current"] else ""
        out.append(f"  {mark} {s['stage']:<11}{s['percent']:>4}%  {s['mcem_phase']:<18} {s['exit_criterion']}{here}")
    out += ["", "Actions"]
    for a in action_list(deal, now, user):
        if a["allowed"]:
            out.append(f"  ✓ {a['label']}")
            if a["warning"]:
                out.append(f"      warning: {text(a['warning']['message'])} ({a['warning']['rule']})")
        else:
            reasons = "; ".join(f"{text(v['message'])} ({v['rule']})" for v in a["refused_because"])
            out.append(f"  ✗ {a['label']}: {reasons}")
    unmet = eligibility_violations(deal, now)
    reg = deal.registration
    out += ["", "Registration (R10)", _field("Status", reg.status.label + (f" — {line(reg.message)}" if reg.message else ""))]
    if reg.contract_value is not None:
        out.append(_field("Contract value", money(reg.contract_value, reg.currency)))
    out.append(_field("Eligible", "yes" if not unmet else "no"))
    out += [f"    - {text(v.message)} ({v.rule})" for v in unmet]
    out += ["", "Team"] + ([f"  {line(p.name)}  {line(p.phone)}  {line(p.email)}"
                            + (f"  ({line(p.company)})" if p.company else "") for p in deal.team] or ["  (none)"])
    out += ["", "Solutions"] + ([_solution(s) for s in deal.solutions] or ["  (none)"])
    out += ["", "Invitations"] + ([_invitation(i) for i in deal.invitations] or ["  (none)"])
    out += ["", "Notes"] + ([f"  {when(n.at)}  {line(n.author)}: {block(n.text, '    ')}" for n in deal.notes] or ["  (none)"])
    out += ["", "History"] + ([f"  {when(e.at)}  {line(e.actor)}  {line(e.action)}"
                               + (f"  {_changes(e.changes)}" if e.changes else "")
                               + (f"  ({line(e.reason)})" if e.reason else "") for e in events] or ["  (none)"])
    return "\n".join(out)


def _solution(s) -> str:
    tags = [s.source.label] + ([s.registration_kind.label] if s.registration_kind else []) + (
        ["MACC-eligible"] if s.macc_eligible else []) + (["incentivized"] if s.incentivized else [])
    where = f"; assessed in {line(s.assessment_location)}" if s.assessment_location else ""
    return f"  {line(s.solution_id)}  {line(s.name)} ({', '.join(tags)}{where})"


def _invitation(i) -> str:
    who = "Microsoft" if i.is_microsoft else f"{line(i.partner_name)} (partner)"
    parts = [i.status.label, f"help: {i.help_type.label}"]
    if i.invited_at:
        parts.append(f"invited {when(i.invited_at)}")
    if i.close_date:
        parts.append(f"close {i.close_date.isoformat()}")
    if i.value is not None:
        parts.append(money(i.value, i.currency))
    if i.solutions:
        parts.append("solutions " + ", ".join(line(s) for s in i.solutions))
    notes = f"\n      {block(i.notes, '      ')}" if i.notes else ""
    return f"  {who}: {'; '.join(parts)}{notes}"


# -- command plumbing shared by cli.deals and cli.oncall ------------------------------

def refusal_text(exc) -> str:
    """An error for stderr: a refusal lists every unmet rule on its own line."""
    from model.domain.errors import RuleViolation

    if isinstance(exc, RuleViolation) and exc.violations:
        head = f"cosell: cannot {text(exc.action)}:" if exc.action else "cosell: refused:"
        return "\n".join([head] + [f"  - {text(v)}" for v in exc.violations])
    return f"cosell: {text(exc)}"
