"""`/o/TOKEN`: the offer page behind a link (GET shows, POST answers).

A GET never changes anything: mail scanners and link previewers open links
before the person does. A POST carries the form token the page was served with
(bound to the link) and answers through the desk service with `respond`'s rules.
A token that is not one of the desk's gets a bare 404: nothing tells a guesser
whether an offer exists. Everything else is a page in the agent's words: the
offer, what happened to their answer, or (409) why it was not taken.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..engine import DeskError, InvalidInput, OfferPage, Refused, band_text, echo, iso, shown_text
from .offer_words import answers_of, time_left, words_for
from .pages import WebContext, message_page, not_found, render

__all__ = ["answer_offer", "show_offer"]

FORM_MAX_BYTES = 16_384
"""Largest answer form read: a reason is at most a few hundred characters."""


async def show_offer(request: Request) -> Response:
    """GET: the offer as its agent may see it now."""
    web: WebContext = request.app.state.web
    token = request.path_params["token"]
    page, zone = await web.read(_read, web, token)
    if page is None:
        return not_found(request)
    return _offer_response(request, web, token, page, zone)


async def answer_offer(request: Request) -> Response:
    """POST: one answer from the page's form."""
    web: WebContext = request.app.state.web
    token = request.path_params["token"]
    page, zone = await web.read(_read, web, token)
    if page is None:
        return not_found(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > FORM_MAX_BYTES:
        return message_page(request, "Too long", "The form sent was too long.", 413)
    try:
        form = await request.form(max_files=0, max_fields=8, max_part_size=FORM_MAX_BYTES)
    except Exception:  # a body that is not a form at all
        return message_page(request, "Not a form", "The answer could not be read.", 400)
    answer, reason, form_token = (
        str(form.get(key) or "") for key in ("answer", "reason", "form_token")
    )
    if not web.desk.links.form_token_ok(token, form_token):
        return message_page(
            request,
            "Please answer from the page",
            "This answer did not come from the offer's own page. Open the link again and "
            "press the button there.",
            403,
        )
    taken = [option.response for option in answers_of(page.mode)]
    if answer not in taken:  # a form edited by hand: named, like any field
        problem = f"answer: must be {' or '.join(taken)} (got {echo(answer)})"
        return _offer_response(request, web, token, page, zone, problem=problem, status=422)
    reason_or_none = reason.strip() or None
    try:
        page = await web.write(
            web.desk.links.answer, token, answer, web.clock.now(), reason_or_none
        )
    except InvalidInput as error:
        problem = "; ".join(error.problems)
        shown = shown_text(reason)  # back in the box to fix, control characters spelled out
        return _offer_response(
            request, web, token, page, zone, problem=problem, reason=shown, status=422
        )
    except (Refused, DeskError):
        fresh, zone = await web.read(_read, web, token)
        return _offer_response(request, web, token, fresh or page, zone, status=409)
    web.log_answer(page, answer)
    return _offer_response(request, web, token, page, zone)


def _read(web: WebContext, token: str) -> tuple[OfferPage | None, tzinfo]:
    """The page behind the link and the desk's time zone, in one call (`WebContext.read`)."""
    return web.desk.links.page(token), web.desk.settings().zone


def _offer_response(
    request: Request,
    web: WebContext,
    token: str,
    page: OfferPage,
    zone: tzinfo,
    *,
    problem: str = "",
    reason: str = "",
    status: int = 200,
) -> Response:
    now = web.clock.now()
    words = words_for(page, now, zone)
    context: dict[str, Any] = {
        "title": words.headline,
        "words": words,
        "page": page,
        "band": band_text(page.price_min, page.price_max),
        "deadline_iso": iso(page.expires_at),
        "left": time_left(page.expires_at, now),
        "form_token": web.desk.links.form_token(token) if words.answers else "",
        "problem": problem,
        "reason": reason,
    }
    return render(request, "offer.html", context, status)
