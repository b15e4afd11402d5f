"""The audit log: every action in the console — who, when, what, from which address. Append-only."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from govcheck.store import now
from govcheck.web.db import audit

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出", "csrf_refused": "表单令牌无效（已拒绝）",
    "review": "复核", "manual_result": "人工核查结果", "publish": "发布", "new_version": "建立新版本",
    "download": "下载", "read": "标记已读", "feedback": "提交整改情况", "recheck": "立即复查",
    "user_add": "新增用户", "user_disable": "停用用户", "user_enable": "启用用户", "user_password": "重置密码",
    "token_add": "新建 API 令牌", "token_revoke": "吊销 API 令牌", "api": "API 调用", "api_refused": "API 拒绝",
    "refused": "拒绝访问", "upload_refused": "附件被拒绝",
}


def record(engine: Engine, *, action: str, username: str | None, role: str | None, ip: str | None,
           round_key: str | None = None, target: str | None = None, ok: bool = True, **detail: Any) -> None:
    detail = json.loads(json.dumps(detail, ensure_ascii=False, default=str)) if detail else None
    with engine.begin() as c:
        c.execute(insert(audit).values(at=now(), username=username, role=role, ip=ip, action=action,
                                       round_key=round_key, target=(target or None) and str(target)[:2000],
                                       detail=detail, ok=ok))


def entries(engine: Engine, *, action: str = "", username: str = "", page: int = 1, page_size: int = 100):
    cond = []
    if action:
        cond.append(audit.c.action == action)
    if username:
        cond.append(audit.c.username == username)
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(audit).where(*cond)).scalar() or 0
        rows = [dict(r) for r in c.execute(select(audit).where(*cond).order_by(audit.c.id.desc())
                                           .limit(page_size).offset((max(1, page) - 1) * page_size)).mappings()]
    for r in rows:
        r["label"] = ACTION_LABELS.get(r["action"], r["action"])
    return rows, total
