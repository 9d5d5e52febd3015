"""Read-side queries shared by the service and its views.

Kept apart from `desk.py` so the service module holds only writes; nothing
here changes the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select, Table, bindparam, func, select

from ..rules.ids import format_id
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.rows import referring_party, stored_referral
from ..storage.transaction import Transaction
from .mapping import view_of
from .people import SourceView
from .views import EventView, FeeView, FlagView, OfferView, ReferralView, TaskView

ViewT = TypeVar("ViewT")

_STATS = m.agent_stats
_LOADS_OF_SOME = Prepared(
    select(_STATS.c.agent_id, _STATS.c.load).where(
        _STATS.c.agent_id.in_(bindparam("ids", expanding=True))
    )
)
_LOADS_OF_ALL = Prepared(select(_STATS.c.agent_id, _STATS.c.load))


def agent_loads(session: Transaction, agent_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Open offers plus referrals assigned in an active status, per agent.

    The database keeps the count in `agent_stats.load` (triggers of migration 0007),
    so the roster reads one integer per agent instead of counting its rows.
    """
    if agent_ids is None:
        rows = session.execute(_LOADS_OF_ALL)
    else:
        rows = session.execute(_LOADS_OF_SOME, {"ids": list(agent_ids)})
    return {agent_id: count for agent_id, count in rows}


def _attached(table: Table) -> Select[Any]:
    """A referral's rows of one table, in the order they were written."""
    return select(table).where(table.c.referral_id == bindparam("number")).order_by(table.c.id)


_OFFERS_OF = Prepared(_attached(m.offer))
_EVENTS_OF = Prepared(_attached(m.event))
_FEES_OF = Prepared(_attached(m.fee_agreement))
_TASKS_OF = Prepared(_attached(m.ack_task))
_FLAGS_OF = Prepared(_attached(m.flag))


def referral_view(
    session: Transaction,
    number: int,
    history: bool = True,
    current: Any = None,
    source: SourceView | None = None,
) -> ReferralView | None:
    """One referral with everything attached to it (`history=False`: its offers only,
    as lists show a referral).

    `current` is the referral's row when the caller holds it already (a write's
    record, every change flushed), so it is not read again; `source` its referring
    party's view, likewise. Everything else is read as Core rows with statements
    built once: the desk returns this view after every write.
    """
    wanted = {"number": number}
    row = current or stored_referral(session, number)
    if row is None:
        return None
    if source is None:
        source = source_view(session, row.source_id)
    offers = tuple(OfferView.of(offer) for offer in session.execute(_OFFERS_OF, wanted))
    if not history:
        return _view(row, source, offers=offers)
    return _view(
        row,
        source,
        offers=offers,
        events=tuple(EventView.of(event) for event in session.execute(_EVENTS_OF, wanted)),
        fees=tuple(FeeView.of(fee) for fee in session.execute(_FEES_OF, wanted)),
        tasks=tuple(TaskView.of(task) for task in session.execute(_TASKS_OF, wanted)),
        flags=tuple(FlagView.of(flag) for flag in session.execute(_FLAGS_OF, wanted)),
    )


def _attached_to_any(table: Table) -> Prepared:
    """Several referrals' rows of one table, in the order they were written."""
    wanted = table.c.referral_id.in_(bindparam("numbers", expanding=True))
    return Prepared(select(table).where(wanted).order_by(table.c.id))


_OFFERS_OF_ANY = _attached_to_any(m.offer)
_EVENTS_OF_ANY = _attached_to_any(m.event)
_FEES_OF_ANY = _attached_to_any(m.fee_agreement)
_TASKS_OF_ANY = _attached_to_any(m.ack_task)
_FLAGS_OF_ANY = _attached_to_any(m.flag)


def referral_views_of(
    session: Transaction,
    rows: Sequence[Any],
    sources: Mapping[int, SourceView],
    history: bool = True,
) -> list[ReferralView]:
    """Referrals whose rows the caller holds, each as `referral_view` shows it, their
    offers (and history) read with one statement a table for all of them: a write of
    200 referrals read them with a thousand. `sources` holds their parties' views."""
    wanted = {"numbers": [row.id for row in rows]}
    offers = _by_referral(session.execute(_OFFERS_OF_ANY, wanted), OfferView.of)
    if not history:
        return [_view(row, sources[row.source_id], offers=offers.get(row.id, ())) for row in rows]
    events = _by_referral(session.execute(_EVENTS_OF_ANY, wanted), EventView.of)
    fees = _by_referral(session.execute(_FEES_OF_ANY, wanted), FeeView.of)
    tasks = _by_referral(session.execute(_TASKS_OF_ANY, wanted), TaskView.of)
    flags = _by_referral(session.execute(_FLAGS_OF_ANY, wanted), FlagView.of)
    return [
        _view(
            row,
            sources[row.source_id],
            offers=offers.get(row.id, ()),
            events=events.get(row.id, ()),
            fees=fees.get(row.id, ()),
            tasks=tasks.get(row.id, ()),
            flags=flags.get(row.id, ()),
        )
        for row in rows
    ]


def _by_referral(rows: Iterable[Any], view: Callable[[Any], ViewT]) -> dict[int, tuple[ViewT, ...]]:
    """Views of rows, grouped by their referral in the rows' order."""
    grouped: dict[int, list[ViewT]] = {}
    for row in rows:
        grouped.setdefault(row.referral_id, []).append(view(row))
    return {number: tuple(views) for number, views in grouped.items()}


def source_view(session: Transaction, party_id: int) -> SourceView:
    """A referring party as a referral shows it (without its latest referral's time)."""
    return SourceView.of(referring_party(session, party_id))


def referral_views(
    session: Transaction,
    statuses: Sequence[str] | None = None,
    *,
    limit: int = 200,
    oldest_first: bool = False,
    with_offers: bool = True,
    source_id: int | None = None,
    offset: int = 0,
) -> list[ReferralView]:
    """Several referrals with their sources and offers (no history): for lists.

    `source_id` keeps one referring party's; `offset` pages through a long list.
    """
    referral, party = m.referral, m.referring_party
    query = select(referral)
    if source_id is not None:
        query = query.where(referral.c.source_id == source_id)
    if statuses is not None:
        query = query.where(referral.c.status.in_(list(statuses)))
    order = referral.c.received_at
    query = query.order_by(order if oldest_first else order.desc(), referral.c.id)
    rows = session.execute(query.limit(limit).offset(offset)).all()
    if not rows:
        return []
    source_ids = sorted({row.source_id for row in rows})
    sources = {
        source.id: SourceView.of(source)
        for source in session.execute(select(party).where(party.c.id.in_(source_ids)))
    }
    offers_by_referral: dict[int, list[OfferView]] = {}
    if with_offers:
        ids = [row.id for row in rows]
        for offer in session.execute(
            select(m.offer).where(m.offer.c.referral_id.in_(ids)).order_by(m.offer.c.id)
        ):
            offers_by_referral.setdefault(offer.referral_id, []).append(OfferView.of(offer))
    return [
        _view(row, sources[row.source_id], offers=tuple(offers_by_referral.get(row.id, ())))
        for row in rows
    ]


def source_views(
    session: Transaction, limit: int | None = None, offset: int = 0
) -> list[SourceView]:
    """Referring parties, most referrals first, each with its latest referral's time
    (a page of them with `limit` / `offset`; the id settles ties so pages never overlap)."""
    latest = (
        select(m.referral.c.source_id, func.max(m.referral.c.received_at).label("last"))
        .group_by(m.referral.c.source_id)
        .subquery()
    )
    rows = session.execute(
        select(m.referring_party, latest.c.last)
        .outerjoin(latest, latest.c.source_id == m.referring_party.c.id)
        .order_by(
            m.referring_party.c.referral_count.desc(),
            m.referring_party.c.name,
            m.referring_party.c.id,
        )
        .limit(limit)
        .offset(offset)
    ).all()
    from ..storage.columns import UTCDateTime

    convert = UTCDateTime().process_result_value
    return [SourceView.of(row, convert(row.last, session.dialect)) for row in rows]


def _view(
    row: Row[Any],
    source: SourceView,
    *,
    offers: tuple[OfferView, ...] = (),
    events: tuple[EventView, ...] = (),
    fees: tuple[FeeView, ...] = (),
    tasks: tuple[TaskView, ...] = (),
    flags: tuple[FlagView, ...] = (),
) -> ReferralView:
    return view_of(
        ReferralView,
        row,
        id=format_id("referral", row.id),
        source=source,
        offers=offers,
        events=events,
        fees=fees,
        tasks=tasks,
        flags=flags,
    )
