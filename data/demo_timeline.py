"""A demo deal's life: when it arrived or was created, who answered, which stages were marked,
how it ended, and the events and notes that record it (what the services would have written).

Times run forward from the deal's start and never pass ``now``; ``version`` is the number of
events, as each service call adds one event and one version.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from data import catalogue as cat
from data import demo_text as text
from model.domain.enums import (
    DealKind as K, Direction as D, HelpType, InvitationStatus as IS, MicrosoftStatus as MS,
    RegistrationStatus as RS, SaleType as ST, Status, Substatus,
)
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS
from model.domain.rules.lifecycle import RESPONSE_WINDOW
from model.domain.schemas import Deal, Invitation, Note, Person, Registration
from model.domain.stages import Stage, intermediate_for

HELP = [h for h in HelpType if h is not HelpType.NONE]
_CLOSE = {"won": Substatus.WON, "lost": Substatus.LOST, "declined": Substatus.DECLINED,
          "expired": Substatus.EXPIRED, "error": Substatus.ERROR}


class Timeline:
    def __init__(self, maker, shape, fields: dict, owner: Person, short: str):
        self.m, self.r, self.now = maker, maker.rng, maker.now
        self.shape, self.f, self.owner, self.short = shape, fields, owner, short
        self.login = owner.email.split("@")[0]
        self.events: list[dict] = []
        self.notes: list[Note] = []
        self.solution = fields["solutions"][0].name if fields["solutions"] else "Azure"

    # -- helpers ---------------------------------------------------------------------------------
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def _event(self, at, actor, action, changes=None, reason=None) -> None:
        self.events.append({"deal_id": self.f["id"], "at": at, "actor": actor, "action": action,
                            "changes": changes or {}, "reason": reason})

    def _note(self, at, author, template: str) -> None:
        amount = f"{self.f['value']:,.0f} {self.f['currency']}"
        partner = getattr(self, "partner_name", "our team")
        seller = getattr(self, "seller", "Microsoft")
        self.notes.append(Note(at=at, author=author, text=template.format(
            customer=self.short, solution=self.solution, amount=amount, partner=partner, seller=seller)))

    def _between(self, start, end, fraction_lo=0.05, fraction_hi=0.95):
        span = (end - start).total_seconds()
        return start + timedelta(seconds=int(span * self.r.uniform(fraction_lo, fraction_hi)) // 60 * 60)

    # -- who sent it, who is invited -----------------------------------------------------------------
    def parties(self, start, end, outcome: str) -> dict:
        r, f, shape = self.r, self.f, self.shape
        out = dict(help_type=HelpType.NONE, share_with_microsoft=True, microsoft_status=MS.NOT_INVITED,
                   microsoft_invited_at=None, microsoft_responded_at=None, invitations=[], sender_name=None,
                   sender_email=None, sender_is_microsoft=False, owns_customer_contract=True)
        if shape.direction is D.INBOUND:
            if shape.sale_type is ST.CO_SELL:  # R3.1: a Microsoft seller sent it
                self.seller, email = r.choice(cat.MICROSOFT_SELLERS)
                out.update(sender_name=self.seller, sender_email=email, sender_is_microsoft=True,
                           microsoft_status=MS.ACCEPTED, help_type=r.choice(HELP))
            else:  # P2P: another partner invited us; its people join the team (R6.3)
                partner = r.choice(cat.PARTNERS)
                self.partner_name = partner.name
                region = text.REGION.get(self.f["customer"].country, "eu")
                first, last = r.choice(text.FIRST_NAMES[region]), r.choice(text.LAST_NAMES[region])
                domain = cat.mail_local(text.short_name(partner.name)).replace(".", "")
                contact = Person(name=f"{first} {last}", phone=f"+46 8 {r.randrange(100, 999)} {r.randrange(10, 99)} 00",
                                 email=f"{cat.mail_local(first + ' ' + last)}@{domain}.example", company=partner.name)
                f["team"] = f["team"] + [contact]
                out.update(sender_name=partner.name, sender_email=contact.email,
                           share_with_microsoft=r.random() < 0.5, owns_customer_contract=r.random() < 0.5)
            return out
        sale = shape.sale_type
        if sale is ST.PRIVATE:
            out["share_with_microsoft"] = False
        elif sale is ST.CO_SELL:
            status = shape.microsoft or (MS.WON if outcome == "won" and shape.registration else
                                         r.choice((MS.INVITED, MS.ACCEPTED, MS.ACCEPTED, MS.DECLINED)))
            if outcome == "won" and status is MS.INVITED:
                status = MS.ACCEPTED
            help_type = r.choice(HELP)
            responded = None if status is MS.INVITED else self._between(start, end, 0.02, 0.3)
            inv_status = {MS.INVITED: IS.INVITED, MS.DECLINED: IS.DECLINED}.get(status, IS.ACCEPTED)
            out.update(help_type=help_type, microsoft_status=status, microsoft_invited_at=start,
                       microsoft_responded_at=responded)
            out["invitations"] = [Invitation(
                invitation_id=self._uuid(), partner_name="Microsoft", is_microsoft=True, help_type=help_type,
                notes=r.choice(text.HELP_NOTES).format(solution=self.solution), status=inv_status,
                invited_at=start, responded_at=responded)]
            if responded:
                self._event(responded, "Microsoft", "microsoft_response",
                            {"microsoft_status": ["invited", status.value]})
        elif sale is ST.P2P:
            out["share_with_microsoft"] = r.random() < 0.5
            for partner in r.sample(cat.PARTNERS, r.choice((1, 1, 2))):
                status = IS.ACCEPTED if outcome == "won" else r.choice((IS.INVITED, IS.ACCEPTED, IS.DECLINED))
                share = (f["value"] * self.r.choice((20, 25, 30, 40)) / 100).quantize(f["value"])
                out["invitations"].append(Invitation(
                    invitation_id=self._uuid(), partner_id=partner.partner_id, partner_name=partner.name,
                    close_date=f["close_date"], value=share, currency=f["currency"],
                    notes=r.choice(text.INVITE_NOTES).format(solution=self.solution), help_type=r.choice(HELP),
                    team=[self.owner], solutions=[s.solution_id for s in f["solutions"][:1]] or ["SOL-CP-INSIGHTS"],
                    status=status, invited_at=start,
                    responded_at=None if status is IS.INVITED else self._between(start, end, 0.02, 0.4)))
        return out

    # -- the life ----------------------------------------------------------------------------------
    def times(self):
        """(start, accepted_at, closed_at, end): start is created (outbound) or received (inbound)."""
        r, now, shape, span = self.r, self.now, self.shape, self.m._span
        outcome = shape.outcome
        if shape.direction is D.OUTBOUND:
            if outcome == "open":
                start = now - span(1, 180)
                return start, start, None, now
            closed = now - span(0.5, 200)
            start = closed - span(10, 240)
            return start, start, closed, closed
        if outcome == "received":
            return now - timedelta(seconds=int(shape.age_days * 86_400)), None, None, now
        if outcome == "open":
            start = now - span(1, 150)
            accepted = start + timedelta(seconds=int(min((now - start).total_seconds() * r.uniform(0.05, 0.9),
                                                         13 * 86_400)))
            return start, accepted, None, now
        closed = now - span(0.5, 200)
        if outcome == "expired":
            return closed - RESPONSE_WINDOW, None, closed, closed
        if outcome == "declined" or (outcome == "error" and r.random() < 0.5):
            return closed - span(0.1, 13), None, closed, closed
        start = closed - span(15, 200)
        return start, start + span(0.1, 12), closed, closed

    def stages(self) -> tuple[Stage, list[Stage]]:
        shape, r = self.shape, self.r
        sa = shape.kind is K.SOLUTION_ASSESSMENT
        entry = Stage.ACCEPTED if shape.direction is D.INBOUND else Stage.CREATED
        track = list(intermediate_for(sa))
        if shape.outcome == "won":
            return Stage.WON, track  # R8.9: Won only after every stage
        if shape.outcome in ("received", "declined", "expired") or self.accepted is None:
            return entry, []
        target = shape.stage or r.choice([entry, entry] + track)
        if target is entry:
            return entry, []
        marked = track[:track.index(target) + 1]
        if not sa and len(marked) > 1 and r.random() < 0.25:  # R8.8: marking is optional, except for SA
            marked.remove(r.choice(marked[:-1]))
        return target, marked

    def build(self) -> tuple[Deal, list[dict]]:
        r, f, shape, now = self.r, self.f, self.shape, self.now
        start, self.accepted, closed, end = self.times()
        outcome = shape.outcome
        inbound = shape.direction is D.INBOUND
        if closed is not None:
            f["close_date"] = closed.date() if outcome == "won" else (closed + self.m._span(-30, 90)).date()
        else:
            f["close_date"] = (now + self.m._span(14, 270)).date()
        parties = self.parties(start, end, outcome)
        if inbound:
            self._event(start, parties["sender_name"], "received")
            opening = text.MICROSOFT_NOTES if parties["sender_is_microsoft"] else text.PARTNER_NOTES
            self._note(start, parties["sender_name"], r.choice(opening))
        else:
            self._event(start, self.login, "create",
                        {"sale_type": [None, shape.sale_type.value if shape.sale_type else None]})
            opening = r.choice(text.OPENING_NOTES)
            if parties["help_type"] is not HelpType.NONE:
                opening += " " + r.choice(text.HELP_NOTES)
            self._note(start, self.login, opening)
        if shape.awkward == "ansi":
            self.notes.append(Note(at=start + timedelta(minutes=1), author=self.login, text=text.AWKWARD_NOTE))
        stage, marked = self.stages()
        work_from = self.accepted or start
        if inbound and self.accepted is not None:
            self._event(self.accepted, self.login, "accept",
                        {"status": ["New", "Active"], "substatus": ["Received", "Accepted"]})
            self._note(self.accepted, self.login, r.choice(text.ACCEPT_NOTES))
        previous = Stage.ACCEPTED if inbound else Stage.CREATED
        steps = sorted(self._between(work_from, end, 0.05, 0.9) for _ in marked)
        for at, mark in zip(steps, marked):
            self._event(at, self.login, "stage", {"stage": [previous.value, mark.value]})
            if r.random() < 0.5:
                self._note(at, self.login, r.choice(text.PROGRESS_NOTES))
            previous = mark
        status, substatus, reason = Status.ACTIVE, Substatus.ACCEPTED, None
        if outcome == "received":
            status, substatus = Status.NEW, Substatus.RECEIVED
        elif closed is not None:
            status, substatus = Status.CLOSED, _CLOSE[outcome]
            reason = {"lost": r.choice(LOST_REASONS[:-1]), "declined": r.choice(DECLINE_REASONS[:-1]),
                      "error": r.choice(ERROR_REASONS[:-1]), "expired": "No response within 14 days"}.get(outcome)
            actor = f"sweep ({self.m.admin})" if outcome == "expired" else self.login
            action = {"declined": "decline", "expired": "expired"}.get(outcome, outcome)
            self._event(closed, actor, action, {"substatus": [("Received" if self.accepted is None and inbound
                                                                else "Accepted"), substatus.value]}, reason)
            notes = {"won": text.WON_NOTES, "lost": text.LOST_NOTES, "declined": text.DECLINE_NOTES}.get(outcome)
            if notes:
                self._note(closed, self.login, r.choice(notes))
        registration = self.registration(closed) if outcome == "won" else Registration()
        self.events.sort(key=lambda e: e["at"])
        self.notes.sort(key=lambda n: n.at)
        received = start if inbound else None
        deal = Deal(
            **f, version=len(self.events), status=status, substatus=substatus, stage=stage, stages_marked=marked,
            **parties, created_at=start, updated_at=self.events[-1]["at"], received_at=received,
            expires_at=received + RESPONSE_WINDOW if received else None, accepted_at=self.accepted,
            closed_at=closed, status_reason=reason, favorite=shape.favorite, notes=self.notes,
            registration=registration,
            engagement_id=self._uuid() if shape.sale_type in (ST.CO_SELL, ST.P2P) else None,
        )
        return deal, self.events

    def registration(self, closed) -> Registration:
        status = self.shape.registration
        if status in (None, RS.NONE):
            return Registration()
        submitted = min(closed + self.m._span(0.05, 2), self.now)
        self._event(submitted, self.login, "register", {"registration": {"status": ["None", "ReviewPending"]}})
        updated = submitted
        if status is not RS.REVIEW_PENDING:
            updated = min(submitted + self.m._span(1, 20), self.now)
            self._event(updated, self.m.admin, "registration", {"status": ["ReviewPending", status.value]})
        return Registration(status=status, submitted_at=submitted, updated_at=updated,
                            message=text.REGISTRATION_MESSAGES.get(status.value), contract_value=self.f["value"],
                            currency=self.f["currency"])
