"""Offer links under load: a real `referral-desk serve` on loopback, hit by a load generator.

Desk: 400 partner agents over 20 metros and 400 referrals just offered (one open
sequential offer each), on a SQLite file. `serve` runs as its own process
(uvicorn, its clock threads ticking); the load generator shares the machine's
cores with it, as the target says.

Measured:
  * 2,000 link opens (GET /o/TOKEN over the 400 links), 20 in flight at once
    (20 keep-alive connections on one asyncio loop): p50 and p99 latency;
    target p99 < 100 ms.
  * 200 answers, one at a time: POST (Accept) from sending to the response,
    which comes after the answer is committed; target p50 < 20 ms.

    python benchmarks/web_links.py
    python benchmarks/web_links.py --opens 500 --answers 50    # a smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import intake_payload, machine_line, percentile, seed_roster

from referral_desk.engine.clock import SystemClock
from referral_desk.engine.desk import Desk
from tests.web.served import free_port, start_serve

OPEN_P99_TARGET = 0.100
ANSWER_P50_TARGET = 0.020
FORM_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=20)
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(20261203)
    with tempfile.TemporaryDirectory(prefix="rd-bench-web-") as folder:
        path = Path(folder) / "desk.db"
        desk = Desk.open(str(path))
        roster = seed_roster(desk, 400, 20, rng)
        referrals = max(400, args.answers)
        payloads = [
            intake_payload(roster.markets[i % len(roster.markets)], i, rng, received_at=None)
            for i in range(referrals)
        ]
        now = SystemClock().now()  # serve runs on the system clock: offers open now
        desk.set_setting("public_url", "http://127.0.0.1", now)
        views = desk.intake(payloads, now)
        paths = []
        for view in views:
            offer = view.open_offers[0]
            link = desk.links.link_for(offer.id, offer.agent_id)
            assert link is not None
            paths.append("/o/" + link.rsplit("/", 1)[1])
        while desk.deliver_outbox(now).sent:  # the offers' .eml files, written before
            pass
        desk.close()
        port = free_port()
        served = start_serve(path, port, Path(folder) / "serve.log")
        try:
            print(f"web links benchmark: {referrals} open offers; {machine_line()}")
            opens = _open_links(port, paths, args.opens, args.in_flight)
            answers = _answer(port, paths[: args.answers])
        finally:
            code = served.stop()
    _report("link opens (GET)", opens, "p99", OPEN_P99_TARGET, f"{args.in_flight} in flight")
    _report("answer POST → committed", answers, "p50", ANSWER_P50_TARGET, "one at a time")
    print(f"serve stopped with exit code {code}")
    return 0


def _open_links(port: int, paths: list[str], total: int, in_flight: int) -> list[float]:
    """`in_flight` keep-alive connections on one asyncio loop (a light load generator:
    it shares the cores with the server), each sending its next GET when the last
    response is in."""
    return asyncio.run(_open_all(port, paths, total, in_flight))


async def _open_all(port: int, paths: list[str], total: int, in_flight: int) -> list[float]:
    samples: list[float] = []
    per_connection = total // in_flight

    async def connection(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(per_connection):
            path = paths[(offset * per_connection + i) % len(paths)]
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            samples.append(time.perf_counter() - started)
            assert head.startswith(b"HTTP/1.1 200"), head[:40]
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(n) for n in range(in_flight)))
    elapsed = time.perf_counter() - started
    print(f"  {len(samples)} opens in {elapsed:.2f} s ({len(samples) / elapsed:.0f} per second)")
    return samples


def _answer(port: int, paths: list[str]) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    for path in paths:
        connection.request("GET", path)
        page = connection.getresponse().read().decode()
        match = FORM_TOKEN.search(page)
        assert match, "no answer form on the page"
        body = urlencode({"answer": "accept", "form_token": match.group(1)})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        samples.append(time.perf_counter() - started)
        assert response.status == 200, response.status
    connection.close()
    return samples


def _report(name: str, samples: list[float], which: str, target: float, note: str) -> None:
    p50, p99 = statistics.median(samples), percentile(samples, 0.99)
    measured = p99 if which == "p99" else p50
    verdict = "OK" if measured < target else "MISSED"
    print(
        f"{name:28} n={len(samples)} p50={p50 * 1e3:7.2f} ms  p99={p99 * 1e3:7.2f} ms  "
        f"max={max(samples) * 1e3:7.2f} ms  ({note}); target {which}<{target * 1e3:.0f} ms "
        f"ratio={measured / target:.2f} {verdict}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
