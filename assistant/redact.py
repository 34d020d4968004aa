"""One redaction for every URL and secret that may reach a message, a log line or a report.

A store URL may carry a password (`postgresql://ann:s3cret@db/docs`, `...?password=s3cret`) and
the settings may hold a model server's API key. Whatever shows a URL or a command line to a person
or writes one to a file passes it through `redact` first: `index.where`, the PostgreSQL store's
errors, `assistant collections`, the eval report (its settings and `command` field).

>>> redact("postgresql://ann:s3cret@db.example:5432/docs")
'postgresql://ann@db.example:5432/docs'
>>> redact("postgresql:///docs?password=s3cret&sslmode=require")
'postgresql:///docs?sslmode=require'
>>> redact("assistant eval --store 'postgres://u:p%40ss@h/db?password=x' --label run")
"assistant eval --store 'postgres://u@h/db' --label run"
>>> redact("the server said: bad key sk-live-1234", ["sk-live-1234"])
'the server said: bad key ***'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from .config import Settings

# A URL inside free text: a scheme, "://", then anything up to a space or a quote (a command line
# quotes a URL with ' or ").
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")
# Query parameters that carry a secret (libpq's password and sslpassword; API keys and tokens).
SECRET_PARAMS = frozenset(
    {"password", "sslpassword", "api_key", "apikey", "key", "token", "access_token", "secret"}
)
MIN_SECRET = 4  # a shorter secret is removed from URLs only: replacing "ab" everywhere ruins text


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every URL's password removed (user:password@ and secret query parameters) and
    every one of `secrets` (of MIN_SECRET characters or more) replaced by ***."""
    text = _URL.sub(lambda m: _redact_url(m.group(0)), text)
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def secrets(settings: Settings) -> list[str]:
    """The secrets `settings` hold: the API key, and the passwords in the store's and the model
    server's URLs."""
    found = [settings.llm_api_key, *url_secrets(settings.store_url), *url_secrets(settings.llm_url)]
    return [s for s in found if s]


def url_secrets(url: str | None) -> list[str]:
    """The secrets in `url`, in every spelling a message could repeat them: its password as
    written and decoded, and the values of its secret query parameters.

    >>> url_secrets("postgresql://ann:p%40ss@db/docs?password=x2&sslmode=require")
    ['p%40ss', 'p@ss', 'x2']
    """
    if not url:
        return []
    parts = urlsplit(url)
    found = [parts.password, unquote(parts.password or "")]
    found += [v for k, v in parse_qsl(parts.query) if k.lower() in SECRET_PARAMS]
    return list(dict.fromkeys(s for s in found if s))


def _redact_url(url: str) -> str:
    """One URL without its password: user information keeps the user name, and secret query
    parameters are dropped. (A password with an unencoded / ? or # is not a valid URL, and no
    client reads it as one; `secrets` still catches it.)"""
    scheme, rest = url.split("://", 1)
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        authority = f"{userinfo.split(':', 1)[0]}@{host}"
    path, mark, query = tail.partition("?")
    if not mark:
        return f"{scheme}://{authority}{tail}"
    query, hash_mark, fragment = query.partition("#")
    kept = "&".join(q for q in query.split("&") if q and q.split("=", 1)[0].lower() not in SECRET_PARAMS)
    return f"{scheme}://{authority}{path}{'?' + kept if kept else ''}{hash_mark}{fragment}"
