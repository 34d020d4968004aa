"""Who may call the service, how much they may send, and how every failure is answered.

- Bound to loopback (127.0.0.1, localhost, ::1), no key is needed, but a request must name a
  loopback host and come from no other site's web page: a page elsewhere cannot reach the
  API through the browser (DNS rebinding, a cross-site form that uploads a file).
- Bound to any other address, `assistant serve` refuses to start without ASSISTANT_API_KEY
  unless --insecure is given (`check_binding`). With a key set, every /v1 and /mcp request must
  send `Authorization: Bearer <key>`, on loopback too; /healthz and /docs stay open.
- A JSON request body is at most 1 MiB, an upload the upload limit plus room for the form; more
  is 413 before it is read whole.
- Every error is `{"error": {"type", "message"}}` with its status (errors.py): a route never
  lets FastAPI's own error shapes (422 `detail` lists) or a traceback through.

    >>> check_binding("127.0.0.1", api_key=None, insecure=False)  # loopback: fine
    >>> check_binding("0.0.0.0", api_key=None, insecure=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadSetting: --host 0.0.0.0 lets other machines in: set ASSISTANT_API_KEY ...
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
import traceback
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import BadSetting
from ..web.uploads import MAX_BYTES
from .errors import BadRequest, Forbidden, TooLarge, Unauthorized, body_of, headers_of, status_of

JSON_LIMIT = 2**20  # 1 MiB: a question is at most 2,000 characters; history and options fit easily
FORM_ROOM = 2**20  # multipart headers and boundaries around an upload's bytes
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses ("127.0.0.1", "::1", "[::1]")."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, api_key: str | None, insecure: bool) -> None:
    """Refuse, in one line, to serve beyond this machine with no key (unless --insecure)."""
    if is_loopback(host) or api_key or insecure:
        return
    raise BadSetting(
        f"--host {host} lets other machines in: set ASSISTANT_API_KEY (clients send it as "
        "'Authorization: Bearer <key>'), or pass --insecure to serve without a key"
    )


@dataclass(frozen=True)
class Access:
    api_key: str | None = None
    loopback: bool = True  # bound to loopback: requests must name a loopback host
    json_limit: int = JSON_LIMIT
    upload_limit: int = MAX_BYTES + FORM_ROOM

    def check(self, headers, path: str = "") -> None:
        """Raise Unauthorized or Forbidden for a request these rules refuse."""
        if self.loopback:
            host = urlsplit("//" + headers.get("host", "")).hostname or ""
            if not is_loopback(host):
                raise Forbidden(f"this server answers for loopback names only, not {host!r}; use 127.0.0.1")
            origin = headers.get("origin")
            if origin and not is_loopback(urlsplit(origin).hostname or ""):
                raise Forbidden(f"requests from web pages of other sites ({origin}) are refused")
        if self.api_key and path != "/healthz":
            scheme, _, token = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip(), self.api_key):
                raise Unauthorized(
                    "missing or wrong API key: send the header 'Authorization: Bearer <ASSISTANT_API_KEY>'"
                )

    def limit_for(self, content_type: str) -> int:
        return self.upload_limit if content_type.startswith("multipart/") else self.json_limit


def error_response(error: Exception):
    """The JSON error response for `error`; a bug's traceback goes to the server log."""
    from fastapi.responses import JSONResponse

    status, _ = status_of(error)
    if status == 500:
        traceback.print_exception(error, file=sys.stderr)
    return JSONResponse(body_of(error), status_code=status, headers=headers_of(error))


def route_class(access: Access):
    """An APIRoute whose handler checks access, limits the body, and answers every error as JSON
    (FastAPI's documented way to wrap a route's handler; it works on an app already running,
    such as the web chat's, where middleware can no longer be added)."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.routing import APIRoute

    class ServiceRoute(APIRoute):
        def get_route_handler(self):
            handle = super().get_route_handler()

            async def handler(request):
                try:
                    access.check(request.headers, request.url.path)
                    limit = access.limit_for(request.headers.get("content-type", ""))
                    return await handle(await limited(request, limit))
                except RequestValidationError as e:
                    return error_response(BadRequest(validation_message(e.errors())))
                except Exception as e:  # noqa: BLE001 - every error becomes its JSON answer
                    return error_response(e)

            return handler

    return ServiceRoute


async def limited(request, limit: int):
    """The request with its body read, or TooLarge once it passes `limit` bytes."""
    from starlette.requests import Request

    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise BadRequest("the Content-Length header is not a number") from None
    if declared > limit:
        raise TooLarge(too_large(declared, limit))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(too_large(len(body), limit))
    replayed = False

    async def receive():
        nonlocal replayed
        if not replayed:  # the body once, then the client's own messages (its disconnect)
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}
        return await request.receive()

    return Request(request.scope, receive)


def too_large(size: int, limit: int) -> str:
    return (
        f"the request is {size:,} bytes; the limit is {limit:,}: "
        "send less (a shorter question, a smaller file)"
    )


def validation_message(errors) -> str:
    """FastAPI's validation errors as one line: where, and what is wrong.

    >>> validation_message([{"loc": ("body", "question"), "msg": "Field required"}])
    'body.question: Field required; see the request schema at /docs'
    >>> validation_message([{"loc": ("body",), "msg": "Input should be a valid dictionary"}])
    'the request body must be a JSON object sent as Content-Type: application/json (curl --json)'
    >>> validation_message([{"type": "json_invalid", "loc": ("body", 1), "msg": "JSON decode error"}])
    'the request body is not valid JSON (JSON decode error at character 1)'
    """
    first = list(errors)[0] if errors else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        at = first.get("loc", ("body", 0))[-1]
        return f"the request body is not valid JSON ({first.get('msg')} at character {at})"
    if tuple(first.get("loc", ())) == ("body",):
        return "the request body must be a JSON object sent as Content-Type: application/json (curl --json)"
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg')}; see the request schema at /docs"
