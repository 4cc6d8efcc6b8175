"""API tokens: made and revoked from the command line, checked on every write."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from timeline_api.models import ApiToken
from timeline_api.models.audit import SCOPES

PREFIX = "tl_"


class TokenError(Exception):
    """A token that cannot be used: missing, malformed, unknown or revoked."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token; the plain token is returned once and never stored."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise ValueError(f"a token named {name!r} exists already")
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        name=name, token_hash=digest(token), scope=scope, created_at=datetime.now(UTC)
    )
    session.add(record)
    session.flush()
    return record, token


def revoke(session: Session, name: str) -> ApiToken:
    record = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if record is None:
        raise ValueError(f"no token is named {name!r}")
    record.revoked_at = record.revoked_at or datetime.now(UTC)
    return record


def all_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def authenticate(session: Session, header: str | None) -> ApiToken:
    """The token an `Authorization: Bearer ...` header names, or a TokenError saying why not."""
    if not header:
        raise TokenError("this needs a token: send 'Authorization: Bearer <token>'")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise TokenError("the Authorization header must be 'Bearer <token>'")
    wanted = digest(token)
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    # The lookup is by digest; compare again in constant time all the same.
    if record is None or not hmac.compare_digest(record.token_hash, wanted):
        raise TokenError("the token is not known")
    if record.revoked_at is not None:
        raise TokenError("the token was revoked")
    return record


# How stale last_used_at may get: "used today" is what an operator needs to know, and a write
# to the token's row on every request would serialise its holder's requests.
USE_NOTED_EVERY = timedelta(hours=1)


def note_use(record: ApiToken, now: datetime | None = None) -> None:
    """Set last_used_at when it is older than USE_NOTED_EVERY; the caller's commit keeps it."""
    now = now or datetime.now(UTC)
    if record.last_used_at is None or now - record.last_used_at >= USE_NOTED_EVERY:
        record.last_used_at = now


def allows(record: ApiToken, scope: str) -> bool:
    """admin may do everything write may, and write everything read may."""
    return SCOPES.index(record.scope) >= SCOPES.index(scope)
