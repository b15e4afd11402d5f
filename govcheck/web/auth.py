"""Accounts, passwords (argon2), server-side sessions, CSRF tokens, API tokens, log-in throttling.

A session is a random 256-bit token in an HttpOnly cookie; only its SHA-256 is stored, so a copy of the
database does not let anyone in. Every form carries the session's CSRF token (the log-in form, which has no
session yet, a double-submit cookie's).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from govcheck.web.db import api_tokens, login_failures, sessions, users

ROLES = {"admin": "管理员", "inspector": "检查人员", "unit": "单位用户"}
ROLE_BY_LABEL = {v: k for k, v in ROLES.items()} | {k: k for k in ROLES}

_hasher = PasswordHasher()
# verifying against this when the account does not exist keeps the timing of a wrong name and a wrong password alike
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AuthError(ValueError):
    pass


def now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for what was stored as UTC."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=timezone.utc)
    return t


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class User:
    id: int
    username: str
    display: str
    role: str
    unit: str | None
    active: bool

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def is_office(self) -> bool:
        return self.role in ("admin", "inspector")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def from_row(cls, r: Any) -> "User":
        return cls(id=r["id"], username=r["username"], display=r["display"], role=r["role"], unit=r["unit"],
                   active=bool(r["active"]))


@dataclass
class Session:
    id: str
    user: User
    csrf: str
    flash: list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------- users
def check_password_strength(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise AuthError(f"密码至少 {min_length} 个字符")
    if password.isdigit() or password.isalpha():
        raise AuthError("密码须同时包含字母和数字（或其他字符）")


def add_user(engine: Engine, username: str, password: str, role: str, *, display: str | None = None,
             unit: str | None = None, by: str | None = None, min_length: int = 10) -> User:
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise AuthError("用户名不能为空、不能含空格，且不超过100个字符")
    if role not in ROLE_BY_LABEL:
        raise AuthError(f"未知角色：{role}（管理员 / 检查人员 / 单位用户）")
    role = ROLE_BY_LABEL[role]
    if role == "unit" and not (unit or "").strip():
        raise AuthError("单位用户须指定所属单位（--unit）")
    if role != "unit":
        unit = None
    check_password_strength(password, min_length)
    with engine.begin() as c:
        if c.execute(select(users.c.id).where(users.c.username == username)).first():
            raise AuthError(f"用户已存在：{username}")
        uid = c.execute(insert(users).values(
            username=username, display=(display or username).strip(), role=role, unit=(unit or None) and unit.strip(),
            password_hash=_hasher.hash(password), active=True, created_at=now(), created_by=by,
        )).inserted_primary_key[0]
    return get_user(engine, uid)


def get_user(engine: Engine, uid: int) -> User | None:
    with engine.connect() as c:
        r = c.execute(select(users).where(users.c.id == uid)).mappings().first()
    return User.from_row(r) if r else None


def find_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as c:
        r = c.execute(select(users).where(users.c.username == username)).mappings().first()
    return User.from_row(r) if r else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as c:
        return [User.from_row(r) for r in c.execute(select(users).order_by(users.c.id)).mappings()]


def set_password(engine: Engine, username: str, password: str, min_length: int = 10) -> None:
    check_password_strength(password, min_length)
    with engine.begin() as c:
        n = c.execute(update(users).where(users.c.username == username)
                      .values(password_hash=_hasher.hash(password))).rowcount
        if not n:
            raise AuthError(f"用户不存在：{username}")
        uid = c.execute(select(users.c.id).where(users.c.username == username)).scalar()
        c.execute(delete(sessions).where(sessions.c.user_id == uid))  # a new password ends every session


def set_active(engine: Engine, username: str, active: bool) -> None:
    with engine.begin() as c:
        uid = c.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if uid is None:
            raise AuthError(f"用户不存在：{username}")
        c.execute(update(users).where(users.c.id == uid).values(active=active))
        if not active:
            c.execute(delete(sessions).where(sessions.c.user_id == uid))
            c.execute(update(api_tokens).where(api_tokens.c.user_id == uid, api_tokens.c.revoked_at.is_(None))
                      .values(revoked_at=now()))


# ---------------------------------------------------------------------------------------------- log-in
def locked_out(engine: Engine, username: str, max_failures: int, window: timedelta) -> bool:
    with engine.connect() as c:
        n = c.execute(select(func.count()).select_from(login_failures).where(
            login_failures.c.username == username, login_failures.c.at >= now() - window)).scalar()
    return n >= max_failures


def authenticate(engine: Engine, username: str, password: str, ip: str | None, *, max_failures: int,
                 window: timedelta) -> User:
    """The user, or AuthError with one message for every kind of refusal (no hint which part was wrong)."""
    username = (username or "").strip()
    if locked_out(engine, username, max_failures, window):
        raise AuthError(f"登录失败次数过多，请 {int(window.total_seconds() // 60)} 分钟后再试")
    with engine.connect() as c:
        r = c.execute(select(users).where(users.c.username == username)).mappings().first()
    ok = False
    try:
        ok = _hasher.verify(r["password_hash"] if r else _DUMMY_HASH, password or "") and r is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or not r["active"]:
        with engine.begin() as c:
            c.execute(insert(login_failures).values(username=username[:100], at=now(), ip=ip))
        raise AuthError("用户名或密码错误")
    if _hasher.check_needs_rehash(r["password_hash"]):
        with engine.begin() as c:
            c.execute(update(users).where(users.c.id == r["id"]).values(password_hash=_hasher.hash(password)))
    with engine.begin() as c:
        c.execute(delete(login_failures).where(login_failures.c.username == username))
    return User.from_row(r)


# ---------------------------------------------------------------------------------------------- sessions
def new_session(engine: Engine, user: User, ip: str | None, agent: str | None) -> str:
    token = secrets.token_urlsafe(32)
    t = now()
    with engine.begin() as c:
        c.execute(insert(sessions).values(id=token_hash(token), user_id=user.id, csrf=secrets.token_urlsafe(32),
                                          created_at=t, seen_at=t, ip=ip, agent=(agent or "")[:300], flash=[]))
    return token


def load_session(engine: Engine, token: str | None, idle: timedelta, max_age: timedelta) -> Session | None:
    if not token or len(token) > 100:
        return None
    sid = token_hash(token)
    with engine.connect() as c:
        r = c.execute(select(sessions, users.c.username, users.c.display, users.c.role, users.c.unit,
                             users.c.active)
                      .join(users, users.c.id == sessions.c.user_id).where(sessions.c.id == sid)).mappings().first()
    if r is None:
        return None
    t = now()
    if not r["active"] or _aware(r["seen_at"]) < t - idle or _aware(r["created_at"]) < t - max_age:
        end_session(engine, token)
        return None
    if (t - _aware(r["seen_at"])).total_seconds() > 60:  # one write a minute per session at most
        with engine.begin() as c:
            c.execute(update(sessions).where(sessions.c.id == sid).values(seen_at=t))
    user = User(id=r["user_id"], username=r["username"], display=r["display"], role=r["role"], unit=r["unit"],
                active=True)
    return Session(id=sid, user=user, csrf=r["csrf"], flash=list(r["flash"] or []))


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as c:
            c.execute(delete(sessions).where(sessions.c.id == token_hash(token)))


def set_flash(engine: Engine, session_id: str, flash: list[dict[str, Any]]) -> None:
    with engine.begin() as c:
        c.execute(update(sessions).where(sessions.c.id == session_id).values(flash=flash))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


# ---------------------------------------------------------------------------------------------- API tokens
def new_api_token(engine: Engine, user: User, name: str) -> str:
    token = "gct_" + secrets.token_urlsafe(32)
    with engine.begin() as c:
        c.execute(insert(api_tokens).values(user_id=user.id, name=name.strip()[:100] or "API",
                                            token_hash=token_hash(token), created_at=now()))
    return token


def api_user(engine: Engine, token: str | None) -> User | None:
    if not token or len(token) > 200:
        return None
    with engine.connect() as c:
        r = c.execute(select(users).join(api_tokens, users.c.id == api_tokens.c.user_id).where(
            api_tokens.c.token_hash == token_hash(token), api_tokens.c.revoked_at.is_(None))).mappings().first()
    if r is None or not r["active"]:
        return None
    with engine.begin() as c:
        c.execute(update(api_tokens).where(api_tokens.c.token_hash == token_hash(token)).values(last_used_at=now()))
    return User.from_row(r)


def list_tokens(engine: Engine, user_id: int | None = None) -> list[dict[str, Any]]:
    q = select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.last_used_at,
               api_tokens.c.revoked_at, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
    if user_id is not None:
        q = q.where(api_tokens.c.user_id == user_id)
    with engine.connect() as c:
        return [dict(r) for r in c.execute(q.order_by(api_tokens.c.id)).mappings()]


def revoke_token(engine: Engine, token_id: int, user: User) -> bool:
    q = update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
    if not user.is_admin:
        q = q.where(api_tokens.c.user_id == user.id)
    with engine.begin() as c:
        return bool(c.execute(q.values(revoked_at=now())).rowcount)
