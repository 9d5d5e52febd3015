"""How a queued message leaves the desk: a file, an SMTP server, or a webhook.

Each channel either returns (delivered), raises `TryAgain` (a passing
failure: the server is down or answered 5xx) or raises `Undeliverable` (the
message itself is refused: 4xx, a bad address). Channels know nothing of the
database: the outbox dispatcher records what they report.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..rules.text import header_text
from ..storage.connect import owner_only
from ..values.settings import DeskSettings

if TYPE_CHECKING:
    from email.message import EmailMessage

# smtplib, urllib.request and the email package are imported where a message is
# delivered: together they cost every command and every start of the desk about
# 15 ms, and most of those never send anything.

SIGNATURE_HEADER = "X-Referral-Desk-Signature"
SMTP_PASSWORD_ENV = "REFERRAL_DESK_SMTP_PASSWORD"
WEBHOOK_SECRET_ENV = "REFERRAL_DESK_WEBHOOK_SECRET"
NETWORK_TIMEOUT_SECONDS = 10


class TryAgain(Exception):
    """Delivery failed for now; a later attempt may succeed."""


class Undeliverable(Exception):
    """Delivery will never succeed as the message stands."""


@dataclass(frozen=True)
class Parcel:
    """What a channel needs to deliver one message."""

    message_id: str
    kind: str
    channel: str
    recipient: str
    subject: str
    body: str
    referral_id: str | None
    created_at: str


class Channel(Protocol):
    """Delivers one parcel, or raises TryAgain / Undeliverable."""

    name: str

    def deliver(self, parcel: Parcel) -> None: ...


def email_of(parcel: Parcel, sender: str) -> EmailMessage:
    """The parcel as an RFC 5322 email.

    Every header is made one line (`header_text`) however the message was stored:
    drafts already have one-line subjects, but an outbox row written by an older
    desk, or by hand, must not add headers of its own.
    """
    from email.message import EmailMessage
    from email.utils import make_msgid

    email = EmailMessage()
    email["From"] = header_text(sender)
    email["To"] = header_text(parcel.recipient)
    email["Subject"] = header_text(parcel.subject)
    email["Message-ID"] = make_msgid(idstring=parcel.message_id, domain="referral-desk")
    email["Date"] = parcel.created_at
    email["X-Referral-Desk-Message"] = parcel.message_id
    if parcel.referral_id:
        email["X-Referral-Desk-Referral"] = parcel.referral_id
    # Quoted-printable would fold a long line (an offer's link) with `=` breaks: a line
    # longer than 76 characters is sent as 8-bit text instead, so it stays one line.
    long_line = any(len(line) > 76 for line in parcel.body.splitlines())
    email.set_content(parcel.body, cte="8bit" if long_line else None)
    return email


class FileChannel:
    """Writes each message as an `.eml` file, ready to send by hand (no set-up needed)."""

    name = "file"

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def deliver(self, parcel: Parcel) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            owner_only(self.folder, 0o700)  # an existing folder others could read
            target = self.folder / f"{parcel.message_id}-{parcel.kind}.eml"
            partial = target.with_suffix(".eml.partial")
            data = bytes(email_of(parcel, self.sender))
            descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except OSError as error:
            raise TryAgain(f"outbox folder {self.folder}: {error}") from error


class SmtpChannel:
    """Sends email through an SMTP server (STARTTLS and login as configured)."""

    name = "smtp"

    def __init__(self, settings: DeskSettings) -> None:
        self.settings = settings

    def deliver(self, parcel: Parcel) -> None:
        import smtplib

        settings = self.settings
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=NETWORK_TIMEOUT_SECONDS
            ) as server:
                if settings.smtp_starttls:
                    server.starttls()
                if settings.smtp_username:
                    server.login(settings.smtp_username, os.environ.get(SMTP_PASSWORD_ENV, ""))
                server.send_message(email_of(parcel, settings.smtp_from))
        except smtplib.SMTPRecipientsRefused as error:
            raise Undeliverable(f"smtp refused {parcel.recipient}: {error}") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise Undeliverable(f"smtp {error.smtp_code}: {error.smtp_error!r}") from error
            raise TryAgain(f"smtp {error.smtp_code}: {error.smtp_error!r}") from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise TryAgain(f"smtp {settings.smtp_host}:{settings.smtp_port}: {error}") from error


class WebhookChannel:
    """POSTs the message as JSON (for an SMS gateway), HMAC-SHA256 signed when a secret is set."""

    name = "webhook"

    def __init__(self, url: str, secret: str = "") -> None:
        self.url = url
        self.secret = secret

    def deliver(self, parcel: Parcel) -> None:
        body = json.dumps(
            {
                "id": parcel.message_id,
                "kind": parcel.kind,
                "channel": parcel.channel,
                "to": parcel.recipient,
                "subject": parcel.subject,
                "body": parcel.body,
                "referral_id": parcel.referral_id,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        self.post(body)

    def post(self, body: bytes) -> None:
        """POSTs a JSON body, signed when a secret is set; a 4xx is final, the rest retried."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if self.secret:
            digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            request.add_header(SIGNATURE_HEADER, f"sha256={digest}")
        try:
            with urllib.request.urlopen(request, timeout=NETWORK_TIMEOUT_SECONDS) as response:
                response.read()
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:
                raise Undeliverable(f"webhook answered {error.code}") from error
            raise TryAgain(f"webhook answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise TryAgain(f"webhook {self.url}: {error}") from error


class CrmChannel(WebhookChannel):
    """POSTs a CRM event (the message's body is the JSON), signed like the SMS webhook."""

    name = "crm"

    def deliver(self, parcel: Parcel) -> None:
        self.post(parcel.body.encode("utf-8"))


class NoCrm:
    """A CRM event queued while `crm_webhook_url` was set, now that it is not: it fails
    (and the flag says why) rather than going anywhere else."""

    name = "crm"

    def deliver(self, parcel: Parcel) -> None:
        raise Undeliverable("crm_webhook_url is not set any more")


def signature_of(body: bytes, secret: str) -> str:
    """The signature header value a receiver should expect for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def transport_for(channel: str, settings: DeskSettings, outbox_folder: Path) -> Channel:
    """email → SMTP if configured, else a file; sms → the webhook if configured, else a file."""
    if channel == "email" and settings.smtp_host:
        return SmtpChannel(settings)
    if channel == "sms" and settings.webhook_url:
        return WebhookChannel(settings.webhook_url, os.environ.get(WEBHOOK_SECRET_ENV, ""))
    if channel == "crm":
        if not settings.crm_webhook_url:
            return NoCrm()
        return CrmChannel(settings.crm_webhook_url, os.environ.get(WEBHOOK_SECRET_ENV, ""))
    return FileChannel(outbox_folder, settings.smtp_from)


def when(created_at: object) -> str:
    """An email Date header for a stored time."""
    from datetime import datetime
    from email.utils import format_datetime

    assert isinstance(created_at, datetime)
    return format_datetime(created_at)
