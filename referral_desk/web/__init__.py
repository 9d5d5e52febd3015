"""`referral-desk serve`: the desk's network face (Starlette, run by uvicorn).

`app.py` builds the ASGI app; `offers.py` serves offer links (`/o/TOKEN`);
`offer_words.py` says what an offer page tells its agent; `pages.py` holds the
templates, security headers and request log; `server.py` runs it all with the
reassignment clock in the same process. Loaded only by `serve` (and its
tests): no other command imports Starlette. Pages reach the desk through the
engine's public API only, and never SQL.
"""

__all__ = ["app", "offer_words", "offers", "pages", "server"]
