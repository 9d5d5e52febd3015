"""Checks of the settings that say where messages go: host names, URLs, logins, paths.

Each check runs when a setting is set, so a value a channel would choke on later
(a URL with a space, a host name with a slash, a login `smtplib` cannot encode)
is refused at the keyboard, naming the key, instead of failing every delivery in
the clock's thread hours afterwards. Each takes the typed text and returns the
value to store, or raises `ValueError` with the message that follows the key.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePath
from urllib.parse import urlsplit

__all__ = ["absolute_path", "host_name", "login", "web_url"]

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
"""One label of a host name (RFC 1123): letters, digits and inner hyphens, 1–63 long."""
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def host_name(value: str) -> str:
    """A host name (`mail.example.com`, `localhost`) or an IP address; empty stays empty."""
    value = value.strip()
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    labels = value.removesuffix(".").split(".")
    if len(value) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(
            f"not a host name ({value[:60]!r}): letters, digits, '-' and '.' only, or an IP address"
        )
    if all(label.isdigit() for label in labels):
        raise ValueError(f"not an IP address ({value[:60]!r})")
    return value.lower()


def web_url(value: str) -> str:
    """An http:// or https:// URL naming a host, in ASCII, without spaces or a login."""
    value = value.strip()
    if not value:
        return ""
    if any(ch.isspace() for ch in value) or _CONTROL.search(value):
        raise ValueError("must not contain spaces or control characters (write %20)")
    if not value.isascii():
        raise ValueError("must be ASCII (percent-encode other characters, punycode the host)")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"not a URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "must not carry a user name or password (the webhook's secret goes in "
            "REFERRAL_DESK_WEBHOOK_SECRET)"
        )
    if not parts.hostname:
        raise ValueError("must name a host (https://host/path)")
    if port == 0:
        raise ValueError("port: must be from 1 to 65535")
    try:
        host_name(parts.hostname)
    except ValueError as error:
        raise ValueError(f"host: {error}") from None
    return value


def public_url(value: str) -> str:
    """Where partners reach `serve` (offer links start with it): an http(s) URL with no
    query or fragment, kept without its trailing `/` so `URL/o/TOKEN` has one slash."""
    value = web_url(value)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValueError("must not carry a query or fragment (https://desk.example.com)")
    return value.rstrip("/")


def login(value: str) -> str:
    """An SMTP login: printable ASCII without spaces (`smtplib` sends it as ASCII)."""
    value = value.strip()
    if any(not ("!" <= ch <= "~") for ch in value):
        raise ValueError("must be ASCII letters, digits and signs, without spaces")
    return value


def absolute_path(value: str) -> str:
    """A folder as stored: empty, or an absolute path (`settings set` resolves what was
    typed, so a relative path never means each process's own working folder)."""
    value = value.strip()
    if not value:
        return ""
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    if not PurePath(value).is_absolute():
        raise ValueError(f"must be an absolute path (got {value[:60]!r})")
    return value
