"""Messages the desk sends, and escalations it raises.

`notify.py` drafts a message from its template (`templates/`) and queues it in
the transaction that caused it; `outbox.py` delivers what is due, exactly once,
through a channel (`channels.py`: a file, SMTP, a webhook); `escalation.py`
stores a flag and tells the team lead. Below the desk's areas, which all send.
"""

__all__ = ["channels", "escalation", "notify", "outbox"]
