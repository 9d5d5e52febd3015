"""Builders for test input: a valid intake object and roster row to vary from."""

from __future__ import annotations

import copy
from typing import Any

CONTRACT_INTAKE: dict[str, Any] = {
    "client_first_name": "Maria",
    "client_last_name": "Lopez",
    "client_email": "maria.lopez@example.com",
    "client_phone": "+1 512 555 0142",
    "side": "buyer",
    "metro": "Austin",
    "zip": "78704",
    "price_min": 400000,
    "price_max": 700000,
    "property_type": "residential",
    "timeline": "touring this weekend",
    "notes": "relocating from Denver, pre-approved",
    "source": {
        "name": "John Smith",
        "type": "agent",
        "email": "john@denverhomes.example",
        "phone": "",
        "brokerage": "Denver Homes",
    },
    "mode": "best_fit",
    "agent_id": None,
    "network": None,
    "received_at": "2026-11-23T14:00:00Z",
}

AGENT_ROW: dict[str, str] = {
    "id": "P-TST-01",
    "name": "Dana Whitfield",
    "kind": "partner",
    "brokerage": "Hill Country Realty",
    "email": "dana@example.com",
    "phone": "+1 512 555 0101",
    "preferred_channel": "sms",
    "metros": "Austin;Round Rock",
    "zips": "78704;78745",
    "sides": "both",
    "price_min": "350000",
    "price_max": "800000",
    "property_types": "residential;condo",
    "capacity": "4",
    "active": "true",
    "away_from": "",
    "away_until": "",
    "on_duty": "",
    "weight": "1",
    "network": "",
}


def intake(**changes: Any) -> dict[str, Any]:
    """The contract's example intake with some keys changed (`source__email=...` for nested)."""
    payload = copy.deepcopy(CONTRACT_INTAKE)
    for key, value in changes.items():
        if key.startswith("source__"):
            payload["source"][key.removeprefix("source__")] = value
        else:
            payload[key] = value
    return payload


def agent_row(**changes: str) -> dict[str, str]:
    """A valid roster row with some cells changed."""
    row = dict(AGENT_ROW)
    row.update(changes)
    return row


def roster_csv(rows: list[dict[str, str]]) -> str:
    """Rows as a roster CSV file's text."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(AGENT_ROW), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
