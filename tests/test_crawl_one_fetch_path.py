"""One way out to the network: no module of the program opens its own HTTP client or socket; every request
goes through govcheck/collect/fetch.py (issue 14 item 4). A new raw client anywhere else fails here."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "govcheck"
FETCH_LAYER = {"collect/fetch.py"}
# control channels to a process this program started on loopback, never to a site: Firefox ESR's WebDriver
# BiDi socket (the module refuses a non-loopback address; the pages' own requests go through the fetch layer)
CONTROL_CHANNELS = {"browser/firefox.py:aiohttp.ClientSession"}
# client libraries and the calls that open an outgoing connection
CLIENT_MODULES = {"httpx", "requests", "urllib3", "urllib.request", "http.client", "pycurl", "aiohttp.client"}
CLIENT_CALLS = {("aiohttp", "ClientSession"), ("aiohttp", "TCPConnector"), ("aiohttp", "request"),
                ("socket", "create_connection"), ("asyncio", "open_connection"), ("ssl", "get_server_certificate")}


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [f"import {a.name}" for a in node.names if a.name in CLIENT_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in CLIENT_MODULES:
                out.append(f"from {node.module} import …")
            out += [f"from {node.module} import {a.name}" for a in node.names
                    if (node.module, a.name) in CLIENT_CALLS or f"{node.module}.{a.name}" in CLIENT_MODULES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in CLIENT_CALLS:
                out.append(f"{node.value.id}.{node.attr}")
    return [f"{path.relative_to(PKG)}:{o}" for o in out]


def test_no_request_bypasses_the_fetch_layer():
    found = []
    for p in sorted(PKG.rglob("*.py")):
        if str(p.relative_to(PKG)) in FETCH_LAYER:
            continue
        found += [o for o in offences(p) if o not in CONTROL_CHANNELS]
    assert found == [], "outgoing requests must go through govcheck/collect/fetch.py:\n" + "\n".join(found)


def test_the_guard_sees_a_raw_client(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import httpx\nimport aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n"
                   "        pass\n", encoding="utf-8")
    assert len(offences_rel(bad)) == 2


def offences_rel(path: Path) -> list[str]:
    global PKG
    keep, PKG = PKG, path.parent
    try:
        return offences(path)
    finally:
        PKG = keep
