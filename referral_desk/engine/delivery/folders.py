"""The folders delivery uses (`outbox_dir`, `templates_dir`): set, and read safely.

A folder is resolved when it is set, against the folder of whoever sets it, and
stored as an absolute path: a relative one would mean a different folder to each
process (the TUI started in one folder, the clock service in `/`), and the outbox
would scatter. It must exist then, so a typo is refused at the keyboard, naming
the key, instead of failing deliveries later.

A template in `templates_dir` is read each time a message is drafted, in the
drafting transaction, so what is read there must never fail the write: reading
reports why a file was not used instead of raising (`custom_template`).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Final

from ..rules.errors import InvalidInput

FOLDER_KEYS: Final = ("outbox_dir", "templates_dir")


def resolved_folder(key: str, text: str) -> str:
    """The absolute, resolved path of an existing folder typed for `key` (empty: unset)."""
    text = text.strip()
    if not text:
        return ""
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise InvalidInput([f"{key}: must not contain control characters"])
    try:
        resolved = Path(text).expanduser().resolve(strict=True)
    except FileNotFoundError:
        raise InvalidInput([f"{key}: no such folder ({text[:200]})"]) from None
    except (OSError, RuntimeError) as error:  # a symlink loop, `~nobody`, no permission
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidInput([f"{key}: cannot be used ({reason}: {text[:200]})"]) from None
    if not resolved.is_dir():
        raise InvalidInput([f"{key}: not a folder ({resolved})"])
    return str(resolved)


TEMPLATE_LIMIT: Final = 64 * 1024
"""The largest template read, in bytes: a message, never a whole file system's worth."""
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but tab and line feed: NUL alone fails a PostgreSQL insert."""


def custom_template(folder: str, kind: str) -> tuple[str | None, str | None]:
    """`(text, None)` for the folder's own `<kind>.txt`, `(None, None)` when it has none
    (the packaged one is used), and `(None, why)` when it has one that is not read.

    Only a regular file directly inside the folder is read, as UTF-8: a symbolic link
    or a file resolving outside the folder is not (an `offer.txt` linked to
    `/etc/passwd` was mailed to an agent), nor a hard link, a FIFO, a device, a file
    over 64 KiB, or one that is not UTF-8 text or holds control characters; nor any
    file once the folder itself resolves elsewhere than where it was set. The
    caller falls back to the packaged template, so a template never stops an intake.
    """
    base = Path(folder)
    candidate = base / f"{kind}.txt"
    shown = f"template {candidate}"
    try:
        if not base.is_dir():
            return None, f"templates_dir {folder}: is not a folder (any more)"
        real_base = base.resolve(strict=True)
        if real_base != base:
            return None, f"templates_dir {folder}: now resolves to {real_base} (set it again)"
        status = candidate.lstat()
        if stat.S_ISLNK(status.st_mode):
            return None, f"{shown}: is a symbolic link (links are not followed)"
        if not stat.S_ISREG(status.st_mode):
            return None, f"{shown}: is not a regular file"
        if status.st_nlink > 1:
            return None, f"{shown}: has other hard links (it may be a file from elsewhere)"
        if candidate.resolve(strict=True).parent != real_base:
            return None, f"{shown}: resolves outside the folder"
        data = _read_regular(candidate)
    except FileNotFoundError:
        return None, None
    except (OSError, RuntimeError) as error:  # no permission, a loop, a name too long
        return None, f"{shown}: cannot be read ({getattr(error, 'strerror', None) or error})"
    if data is None:
        return None, f"{shown}: is not a regular file of at most {TEMPLATE_LIMIT // 1024} KiB"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, f"{shown}: is not UTF-8 text (byte {error.start})"
    text = text.replace("\r\n", "\n")
    if _CONTROL.search(text):
        return None, f"{shown}: holds control characters"
    return text, None


def _read_regular(path: Path) -> bytes | None:
    """The file's bytes, opened without following a link; None if it is not a regular file
    (swapped since it was looked at) or is larger than `TEMPLATE_LIMIT`."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
            return None
        if status.st_size > TEMPLATE_LIMIT:
            return None
        data = handle.read(TEMPLATE_LIMIT + 1)
    return data if len(data) <= TEMPLATE_LIMIT else None
