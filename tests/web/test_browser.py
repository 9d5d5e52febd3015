"""A partner answers from a real browser: Debian's Chromium, driven by Selenium with the
matching chromium-driver, against a running `referral-desk serve`.

The link is taken from the `.eml` file the outbox wrote, as a partner's mail
client would show it. Skipped, with the reason, only where no browser is installed
(`.ci/run` installs one).
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from referral_desk.engine.clock import SystemClock
from referral_desk.engine.desk import Desk
from tests.factories import agent_row, intake
from tests.web.served import Served, free_port, start_serve

pytestmark = pytest.mark.sqlite_only

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
    pytest.skip(
        "no Chromium here: apt-get install chromium chromium-driver", allow_module_level=True
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

LINK = re.compile(r"^(http://127\.0\.0\.1:\d+/o/\S+)$", re.MULTILINE)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="rd-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=412,915",
                 f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def email_desk(tmp_path: Path) -> Iterator[tuple[Desk, Served]]:
    """Two email agents in Austin, offer links on, `serve` running; each offer is
    delivered to the outbox folder as an `.eml` file."""
    port = free_port()
    desk = Desk.open(str(tmp_path / "desk.db"))
    now = SystemClock().now()
    for number, name in ((1, "Dana Whitfield"), (2, "Evan Marsh")):
        row = agent_row(id=f"P-EML-0{number}", name=name, preferred_channel="email",
                        email=f"agent{number}@agents.example")  # fmt: skip
        desk.save_agent(row, now)
    desk.set_setting("public_url", f"http://127.0.0.1:{port}", now)
    served = start_serve(tmp_path / "desk.db", port, tmp_path / "serve.log")
    try:
        yield desk, served
    finally:
        served.stop()
        desk.close()


def press(browser: webdriver.Chrome, label: str) -> None:
    """Presses a button and waits for the page the form's answer brings."""
    before = browser.find_element(By.TAG_NAME, "h1")
    browser.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()
    WebDriverWait(browser, 15).until(expected_conditions.staleness_of(before))


def link_from_eml(desk: Desk, referral_id: str) -> str:
    """The link in the referral's offer `.eml`, as the partner's mail shows it (written by
    this delivery pass or by serve's own, whichever claimed the message first)."""
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        desk.deliver_outbox(SystemClock().now())
        for path in sorted(desk.outbox_folder().glob("*-offer.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["X-Referral-Desk-Referral"] == referral_id:
                match = LINK.search(message.get_content())  # type: ignore[attr-defined]
                assert match, "the offer email carries no link"
                return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no offer email for {referral_id}")


def test_a_partner_accepts_from_the_link_in_the_email(
    email_desk: tuple[Desk, Served], browser: webdriver.Chrome
) -> None:
    desk, _served = email_desk
    [referral] = desk.intake(
        intake(mode="private", agent_id="P-EML-01", received_at=None), SystemClock().now()
    )
    browser.get(link_from_eml(desk, referral.id))
    assert "Dana, a buyer referral for you" in browser.find_element(By.TAG_NAME, "h1").text
    assert "maria.lopez@example.com" not in browser.page_source
    left = browser.find_element(By.ID, "left").text
    assert left.endswith("min") or left == "less than a minute"
    press(browser, "Accept")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading == f"It's yours, Dana: {referral.id}"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "maria.lopez@example.com" in body and "Maria Lopez" in body
    stored = desk.referral(referral.id)
    assert (stored.status, stored.assigned_agent_id) == ("awarded", "P-EML-01")
    assert browser.get_log("browser") == [] or all(
        entry["level"] != "SEVERE" for entry in browser.get_log("browser")
    )


def test_a_partner_declines_with_a_reason(
    email_desk: tuple[Desk, Served], browser: webdriver.Chrome
) -> None:
    desk, _served = email_desk
    [referral] = desk.intake(
        intake(mode="private", agent_id="P-EML-02", received_at=None), SystemClock().now()
    )
    browser.get(link_from_eml(desk, referral.id))
    browser.find_element(By.ID, "reason").send_keys("Booked solid <until> January")
    press(browser, "Decline")
    assert "You declined this referral." in browser.find_element(By.TAG_NAME, "body").text
    [offer] = desk.referral(referral.id).offers
    assert (offer.status, offer.reason) == ("declined", "Booked solid <until> January")


def test_the_board_ticks_and_shows_a_lapse_within_two_seconds(
    email_desk: tuple[Desk, Served], browser: webdriver.Chrome
) -> None:
    """The team lead's board: the countdown moves, and when serve's clock lapses the
    offer the next agent appears without a reload."""
    import time
    from datetime import timedelta

    desk, served = email_desk
    now = SystemClock().now()
    desk.set_setting("acceptance_window_minutes", "1", now)
    [referral] = desk.intake(intake(received_at=None), now - timedelta(seconds=52))
    [offer] = referral.open_offers
    other = {"P-EML-01": "Evan Marsh", "P-EML-02": "Dana Whitfield"}[offer.agent_id]
    browser.get(desk.links.board_link(served.base, SystemClock().now(), 1))

    def countdown() -> str:  # found afresh: the rows are replaced when the desk changes
        return str(browser.find_element(By.CSS_SELECTOR, "[data-deadline]").text)

    first = countdown()
    time.sleep(1.2)
    assert countdown() != first, "the countdown does not tick"
    seconds_left = (offer.expires_at - SystemClock().now()).total_seconds()
    WebDriverWait(browser, seconds_left + 10, poll_frequency=0.1).until(
        lambda driver: other in driver.find_element(By.ID, "board").text
    )
    shown_after = (SystemClock().now() - offer.expires_at).total_seconds()
    assert shown_after <= 3.0, f"the lapse showed {shown_after:.1f} s after the window closed"
    assert "maria.lopez@example.com" not in browser.page_source
