"""The referring parties of one intake transaction: found once, credited once.

Every referral credits its party: one more referral, and a line in its notes
("2026-11-23 — referred Maria"). Done one referral at a time, that read the
party's whole notes and wrote them back one line longer, so a list of 10,000
from one source moved 10,000 ever longer texts through Python and the database,
a cost per referral that grew with the list and with the source's history. Here
a transaction finds each party once (its notes not read at all), queues the
lines, and adds them with the count in one UPDATE per party when it is done
(`settle`): the stored notes end exactly as the line-by-line appends left them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, insert, select, update

from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction
from ..values.schemas import IntakeIn

_PARTY = m.referring_party
_DEFAULT_TAG = "Referral Source"
_KEPT = (
    _PARTY.c.id,
    _PARTY.c.name,
    _PARTY.c.type,
    _PARTY.c.email,
    _PARTY.c.phone,
    _PARTY.c.gift_policy,
)
"""What intake needs of a party (its tasks' drafts and channel, the lead source, the
burst flag): never the notes, which grow with every referral the party sends."""
# Built once: every intake finds (or adds) its referring party and credits it.
_PARTY_BY_KEY = Prepared(select(*_KEPT).where(_PARTY.c.identity_key == bindparam("key")))
_INSERT_PARTY = Prepared(insert(_PARTY).returning(*_KEPT))
_LINES = bindparam("lines", type_=_PARTY.c.notes.type)
_CREDIT = Prepared(
    update(_PARTY)
    .where(_PARTY.c.id == bindparam("party_id"))
    .values(
        referral_count=_PARTY.c.referral_count + bindparam("referred"),
        # Blank notes take the lines as they are; others gain them after a line break.
        notes=case((_PARTY.c.notes == "", _LINES), else_=_PARTY.c.notes + "\n" + _LINES),
    )
)


def identity_key(name: str, source_type: str, email: str) -> str:
    """What makes two referring parties the same: name, type and email, ignoring case."""
    return "|".join((" ".join(name.casefold().split()), source_type, email.casefold()))


class PartyBook:
    """The parties one write transaction credits, and the lines it owes their notes.

    The count and the notes of a party are behind the database's until `settle`:
    nothing an intake does in between reads them.
    """

    def __init__(self, session: Transaction) -> None:
        self.session = session
        self._by_key: dict[str, Row[Any]] = {}
        self._lines: dict[int, list[str]] = {}
        """Per party id, the notes lines of this transaction's referrals, in order."""

    def party(self, data: IntakeIn, now: datetime) -> Row[Any]:
        """The referring party with the same name, type and email, or a new one (a row of
        the columns intake needs)."""
        source = data.source
        key = identity_key(source.name, source.type, source.email)
        found = self._by_key.get(key)
        if found is None:
            found = self.session.execute(_PARTY_BY_KEY, {"key": key}).one_or_none()
        if found is None:
            values = {
                "name": source.name,
                "type": source.type,
                "email": source.email,
                "phone": source.phone,
                "brokerage": source.brokerage,
                "tag": _DEFAULT_TAG,
                "notes": "",
                "referral_count": 0,
                "gift_policy": source.gift_policy,
                "identity_key": key,
                "created_at": now,
            }
            found = self.session.execute(_INSERT_PARTY, values).one()
        self._by_key[key] = found
        return found

    def credit(self, party: Row[Any], line: str) -> None:
        """One more referral for the party, with its line for the party's notes."""
        self._lines.setdefault(party.id, []).append(line)

    def settle(self) -> None:
        """Writes every party's count and notes lines: one statement a party."""
        rows = [
            {"party_id": party_id, "referred": len(lines), "lines": "\n".join(lines)}
            for party_id, lines in self._lines.items()
        ]
        self._lines = {}
        if rows:
            self.session.execute(_CREDIT, rows)
