"""The folders delivery uses (`outbox_dir`, `templates_dir`), checked where they are set.

A folder is resolved when it is set, against the folder of whoever sets it, and
stored as an absolute path: a relative one would mean a different folder to each
process (the TUI started in one folder, the clock service in `/`), and the outbox
would scatter. It must exist then, so a typo is refused at the keyboard, naming
the key, instead of failing deliveries later.
"""

from __future__ import annotations

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
