"""`/api/…`: lead sources post referrals, and read the queue, with a key.

`POST /api/referrals` takes one intake object or a list of at most 500, exactly as
`intake` does (the same schema, the same checks): 201 and the stored referrals as
`show --json` prints them. Every refusal is JSON, `{"errors": ["field: …"]}`, and
writes nothing: 401 without a live key, 415 for a body that is not JSON, 413 past
1 MB, 400 for JSON that does not parse, 422 for what `intake` refuses. A request
with an `Idempotency-Key` header gets its first answer again on a retry.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..engine import DeskError, InvalidInput, StorageError, intake_json_schema
from .pages import WebContext

__all__ = ["openapi", "post_referrals", "queue"]

BODY_MAX_BYTES = 1_000_000
"""The largest body taken (a list of 500 referrals with long notes fits)."""


def errors(status: int, *problems: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"errors": list(problems)}, status_code=status, headers=headers)


async def post_referrals(request: Request) -> Response:
    """POST /api/referrals."""
    web: WebContext = request.app.state.web
    key = await _key(request, web)
    if key is None:
        return _unauthorized()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return errors(415, "content-type: must be application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_MAX_BYTES:
        return errors(413, f"body: at most {BODY_MAX_BYTES:,} bytes")
    body = await _body(request)
    if body is None:
        return errors(413, f"body: at most {BODY_MAX_BYTES:,} bytes")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        return errors(400, f"body: not JSON ({str(error)[:80]})")
    if not isinstance(payload, dict | list):
        return errors(422, "body: must be one intake object or a list of them")
    idempotency_key = request.headers.get("idempotency-key")
    try:
        answer = await web.write(
            web.desk.api.intake, key, payload, web.clock.now(), idempotency_key, body
        )
    except DeskError as error:  # nothing was written: the request is still counted
        await web.write(web.desk.api.count_use, key, web.clock.now())
        if isinstance(error, InvalidInput):
            return errors(422, *error.problems)
        return errors(503 if isinstance(error, StorageError) else 422, str(error))
    headers = {"idempotent-replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


async def queue(request: Request) -> Response:
    """GET /api/queue: what `queue --json` prints."""
    web: WebContext = request.app.state.web
    key = await _key(request, web)
    if key is None:
        return _unauthorized()
    now = web.clock.now()
    await web.write(web.desk.api.count_use, key, now)
    waiting = await web.read(web.desk.queue)
    return JSONResponse([referral.to_json(now) for referral in waiting])


async def openapi(request: Request) -> Response:
    """GET /api/openapi.json: the API described, its intake schema from the engine's."""
    return JSONResponse(_description())


async def _key(request: Request, web: WebContext) -> Any:
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return None
    return await web.read(web.desk.api.key_for, presented.strip())


def _unauthorized() -> Response:
    return errors(
        401,
        "authorization: a live API key is needed (Authorization: Bearer KEY; "
        "referral-desk keys add NAME makes one)",
        headers={"www-authenticate": "Bearer"},
    )


async def _body(request: Request) -> bytes | None:
    """The body, or None once it passes the limit (a body with no length is read in
    chunks and cut off there, never held whole)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_MAX_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _description() -> dict[str, Any]:
    schema = intake_json_schema("#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    json_error = {"$ref": "#/components/schemas/Errors"}
    refusal = {"content": {"application/json": {"schema": json_error}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Referral Desk intake API", "version": "1"},
        "components": {
            "securitySchemes": {"key": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **definitions,
                "Intake": schema,
                "Errors": {
                    "type": "object",
                    "properties": {"errors": {"type": "array", "items": {"type": "string"}}},
                },
            },
        },
        "security": [{"key": []}],
        "paths": {
            "/api/referrals": {
                "post": {
                    "summary": "Store and route one referral, or a list of at most 500",
                    "parameters": [
                        {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Intake"},
                                        {
                                            "type": "array",
                                            "maxItems": 500,
                                            "items": {"$ref": "#/components/schemas/Intake"},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "stored; the referrals as `show --json`"},
                        "401": {"description": "no live API key", **refusal},
                        "422": {"description": "refused; nothing written", **refusal},
                    },
                }
            },
            "/api/queue": {
                "get": {
                    "summary": "The referrals the desk is waiting on, as `queue --json`",
                    "responses": {"200": {"description": "the queue"}},
                }
            },
        },
    }
