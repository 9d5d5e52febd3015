"""The report as a document a VA files (Markdown) and as a tidy table (CSV).

The JSON (`Report.to_json`) is the contract; these two say the same figures
for people and spreadsheets. Markdown reads top to bottom like a memo: title,
period, a few plain sentences, then one table per question. CSV is long
format, `section,key,value`, one figure a row, the sections named after the
JSON keys so the two can be matched without a legend.

Both show text the desk was given (referring parties' names), so both keep it
text: in Markdown every character that could make a link, an image, HTML, an
entity or emphasis is escaped, so `[x](http://evil) <script>` reads as
exactly that; in CSV a cell a spreadsheet would run as a formula gets a
leading `'` (`rules/csv_cells.py`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from ..rules.drops import DROP_CAUSE_LABELS
from ..rules.timefmt import iso
from ..values.csv_cells import safe_cell
from .figure_text import count_text, duration_text, money_text, percent_text, within_text
from .figures import Report

__all__ = ["to_csv", "to_markdown"]

SOURCE_TYPE_LABELS = {
    "client": "Past clients",
    "sphere": "Sphere of influence",
    "agent": "Agents (out of area)",
    "professional": "Professionals (lenders, attorneys, CPAs, relocation)",
}
SOURCE_TYPE_NOUNS = {
    "client": "past clients",
    "sphere": "the sphere of influence",
    "agent": "out-of-area agents",
    "professional": "professionals",
}
DIRECTION_LABELS = {"receivable": "Receivable (owed to us)", "payable": "Payable (owed by us)"}


_MARKDOWN_ACTIVE = re.compile(r"[\\`*_\[\]<>!&|~$@]|:(?=/)|/(?=/)|\.(?=[0-9A-Za-z])")
"""Characters that start markup inline (links, images, HTML, entities, emphasis, code,
a `|` that splits a table row), and the `:`, `/` and `.` of a bare address, which
some renderers turn into a link by themselves (`http://…`, `www.…`, `evil.com`)."""


def _text(text: str) -> str:
    """Text the desk was given, as Markdown that shows it literally, on one line."""
    return _MARKDOWN_ACTIVE.sub(lambda found: "\\" + found.group(), " ".join(text.split()))


def _plural(count: int, word: str) -> str:
    return f"{count_text(count)} {word}" + ("" if count == 1 else "s")


def _summary(report: Report) -> Iterator[str]:
    received = report.received
    if not received:
        yield "- No referral was received in this period."
        return
    outcomes = report.outcomes
    yield (
        f"- {_plural(received, 'referral')} received. As they stand: "
        f"{count_text(outcomes['closed'])} closed, {count_text(outcomes['lost'])} lost, "
        f"{count_text(outcomes['active'])} still active."
    )
    kind, count = max(report.by_source_type.items(), key=lambda item: item[1])
    top = report.top_sources[0]
    yield (
        f"- Most came from {SOURCE_TYPE_NOUNS[kind]} ({count_text(count)}); "
        f"the top source was {_text(top.name)} ({_plural(top.count, 'referral')})."
    )
    if report.offered:
        line = (
            f"- Half the referrals had their first offer "
            f"{within_text(report.assignment_delay_median)}, nine in ten "
            f"{within_text(report.assignment_delay_p90)}"
        )
        if report.accepted:
            line += "; half of those accepted were taken " + (
                "as soon as they were offered"
                if report.acceptance_median == 0
                else f"{within_text(report.acceptance_median)} of the first offer"
            )
        yield line + "."
    line = (
        f"- {_plural(report.dropped, 'referral')} ({percent_text(report.dropped_rate)}) "
        "dropped: unassigned or lost with no agent ever accepting"
    )
    causes = [
        f"{count_text(count)} {DROP_CAUSE_LABELS[cause]}"
        for cause, count in report.dropped_by_cause.items()
        if count
    ]
    yield line + (f" ({'; '.join(causes)})." if causes else ".")
    for direction in ("receivable", "payable"):
        pending, paid = report.fees[direction]["pending"], report.fees[direction]["paid"]
        label = "Fees owed to us" if direction == "receivable" else "Fees we owe"
        yield (
            f"- {label}: {count_text(pending.count)} pending "
            f"({money_text(pending.amount)} expected so far), "
            f"{count_text(paid.count)} paid ({money_text(paid.amount)})."
        )


def to_markdown(report: Report) -> str:
    """The report as a Markdown document: title, period, summary, tables."""
    zone = ZoneInfo(report.period.timezone)
    period = report.period
    now_local = report.now.astimezone(zone)
    lines = [
        f"# Referral report — {period.label.replace('-', ' ')}",
        "",
        f"**Period:** {period.first_day().day} {period.first_day():%B %Y} – "
        f"{period.last_day().day} {period.last_day():%B %Y} ({period.timezone})  ",
        f"**As it stood at:** {now_local:%Y-%m-%d %H:%M} {now_local.tzname()}",
        "",
        "## Summary",
        "",
        *_summary(report),
        "",
        "## Where referrals came from",
        "",
        "| Source type | Referrals | Share |",
        "|---|---:|---:|",
    ]
    for kind, count in report.by_source_type.items():
        share = count / report.received if report.received else None
        label = SOURCE_TYPE_LABELS[kind]
        lines.append(f"| {label} | {count_text(count)} | {percent_text(share)} |")
    lines += ["", "## Top sources", ""]
    if report.top_sources:
        lines += ["| # | Source | Referrals |", "|---:|---|---:|"]
        for rank, source in enumerate(report.top_sources, start=1):
            lines.append(f"| {rank} | {_text(source.name)} | {count_text(source.count)} |")
    else:
        lines.append("No referring party sent a referral in this period.")
    lines += ["", "## Outcomes", "", "| Outcome | Referrals | Share |", "|---|---:|---:|"]
    for key, label in (("closed", "Closed"), ("lost", "Lost"), ("active", "Still active")):
        count = report.outcomes[key]
        share = count / report.received if report.received else None
        lines.append(f"| {label} | {count_text(count)} | {percent_text(share)} |")
    lines += [
        "",
        "## Referral fees",
        "",
        "| Direction | Pending | Pending amount | Paid | Paid amount |",
        "|---|---:|---:|---:|---:|",
    ]
    for direction, label in DIRECTION_LABELS.items():
        pending, paid = report.fees[direction]["pending"], report.fees[direction]["paid"]
        lines.append(
            f"| {label} | {count_text(pending.count)} | {money_text(pending.amount)} "
            f"| {count_text(paid.count)} | {money_text(paid.amount)} |"
        )
    median, p90 = report.assignment_delay_median, report.assignment_delay_p90
    lines += [
        "",
        "## Routing",
        "",
        "| Measure | Value |",
        "|---|---:|",
        f"| Received → first offer, median | {duration_text(median)} |",
        f"| Received → first offer, 90th percentile | {duration_text(p90)} |",
        f"| First offer → accepted, median | {duration_text(report.acceptance_median)} |",
        f"| Dropped (unassigned or lost, never accepted) | {count_text(report.dropped)} "
        f"({percent_text(report.dropped_rate)}) |",
        *(
            f"| Dropped: {DROP_CAUSE_LABELS[cause]} | {count_text(count)} |"
            for cause, count in report.dropped_by_cause.items()
        ),
        "",
        "## Closing rate by monthly cohort",
        "",
    ]
    if report.cohorts:
        lines += ["| Month received | Received | Closed | Closing rate |", "|---|---:|---:|---:|"]
        for cohort in report.cohorts:
            lines.append(
                f"| {cohort.month} | {count_text(cohort.received)} | {count_text(cohort.closed)} | "
                f"{percent_text(cohort.closing_rate)} |"
            )
    else:
        lines.append("No referral was received in the twelve months ending with this period.")
    lines += [
        "",
        "---",
        "",
        f"*Referrals received in the period, as they stood at {iso(report.now)}. A cohort is "
        "the month a referral was received; it counts as closed whenever the sale closed. "
        f"Times are {period.timezone}. Medians and percentiles are observed delays.*",
        "",
    ]
    return "\n".join(lines)


def csv_rows(report: Report) -> Iterator[tuple[str, str, str]]:
    """(section, key, value) for every figure: the JSON flattened, plus the period."""
    period = report.period
    yield ("period", "start", iso(period.start) or "")
    yield ("period", "end", iso(period.end) or "")
    yield ("period", "timezone", period.timezone)
    yield ("period", "as_of", iso(report.now) or "")
    document = report.to_json()
    for section, value in document.items():
        if section == "top_sources":
            for source in value:
                yield (section, source["name"], str(source["count"]))
        elif isinstance(value, dict):
            yield from _flatten(section, "", value)
        else:
            yield (section, "value", "" if value is None else str(value))


def _flatten(section: str, prefix: str, value: dict[str, object]) -> Iterator[tuple[str, str, str]]:
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from _flatten(section, f"{path}.", item)
        else:
            yield (section, path, "" if item is None else str(item))


def to_csv(report: Report) -> str:
    """Long-format CSV: a `section,key,value` header, then one figure a row; no cell is a
    formula to a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "key", "value"))
    writer.writerows(tuple(safe_cell(cell) for cell in row) for row in csv_rows(report))
    return buffer.getvalue()
