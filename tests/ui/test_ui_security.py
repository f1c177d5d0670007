"""Security of the web UI, each property proved on the real HTTP endpoint: security headers and
a CSP without inline script, CSRF on every form, the login wall, refusing to serve beyond
loopback without authentication, the trusted proxy header, and secrets never rendered."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from ui_harness import (
    SHEBEKINO,
    csrf_of,
    make_match,
    open_test_bus,
    through_alert_stage,
    ui_server,
    write_config,
)

from newswatch.config import ConfigError, load_config, parse_config
from newswatch.ui.auth import hash_password, verify_password

PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)
PAGES = ["/", "/charts", "/feeds", "/watches", "/watches/raids", "/watches/_new", "/deliveries",
         "/model", "/?q=raid", "/login"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.I)


def _ledger(tmp_path: Path, **kw: str):  # noqa: ANN202
    path, config = write_config(tmp_path, **kw)
    m = make_match(1, "Raid across the border near Shebekino", places=(SHEBEKINO,),
                   labels=[("cross_border_raid", 0.9)])
    with open_test_bus(config) as bus:
        through_alert_stage(config, bus, [m])
    return path, config, m


def _pages(m) -> list[str]:  # noqa: ANN001
    return [*PAGES, f"/match/{m.id}"]


def test_headers_and_no_inline_script_on_every_page(tmp_path: Path) -> None:
    path, config, m = _ledger(tmp_path)
    with ui_server(config, config_path=path) as ui, ui.client() as http:
        story = http.get(f"/match/{m.id}").text.split('href="/story/', 1)[1].split('"', 1)[0]
        for url in [*_pages(m), f"/story/{story}", "/nope", "/act/not-a-token",
                    "/static/app.css"]:
            r = http.get(url)
            assert r.status_code in (200, 303, 400, 404), (url, r.status_code)
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, url
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
            if r.headers.get("content-type", "").startswith("text/html"):
                assert not INLINE_SCRIPT.search(r.text), (url, INLINE_SCRIPT.search(r.text))
                assert ' style="' not in r.text, url  # no inline style either
        # The probes share the endpoint and keep their JSON.
        assert http.get("/healthz").json() == {"ok": True}


def test_every_post_needs_the_csrf_token(tmp_path: Path) -> None:
    path, config, m = _ledger(tmp_path)
    before = path.read_text()
    with ui_server(config, config_path=path) as ui, ui.client() as http:
        # Every form the pages render carries the token.
        for url in _pages(m):
            html = http.get(url).text
            for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S):
                assert 'name="csrf"' in form, (url, form[:120])
        token = csrf_of(http.get("/").text)
        posts = [r.path for r in ui.app.routes if "POST" in getattr(r, "methods", ())]
        assert len(posts) >= 12
        params = {"match_id": m.id, "story_id": "s1", "feed_id": "wire", "name": "raids",
                  "token": "t"}
        for route in posts:
            url = route.format(**params)
            data = {"action": "mute", "url": "https://x.example/rss", "id": "x",
                    "password": PASSWORD}
            assert http.post(url, data=data).status_code == 403, url
            assert http.post(url, data={**data, "csrf": token + "x"}).status_code == 403, url
            cross = http.post(url, data={**data, "csrf": token},
                              headers={"Origin": "https://evil.example"})
            assert cross.status_code == 403, url
        assert path.read_text() == before  # nothing was edited
        assert "feedback:" not in http.get("/").text  # nothing was recorded
        # With the token the same request works.
        r = http.post(f"/match/{m.id}/feedback", data={"csrf": token, "action": "mute"})
        assert r.status_code == 303 and "story muted" in http.get("/").text


def test_login_wall_with_a_password(tmp_path: Path) -> None:
    _, config, m = _ledger(tmp_path, ui=f'password_hash = "{HASH}"')
    with ui_server(config) as ui, ui.client() as http:
        for url in _pages(m)[:-2] + [_pages(m)[-1]]:
            r = http.get(url)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), url
        assert http.get("/healthz").status_code == 200  # probes never need a login
        login = http.get("/login")
        assert login.status_code == 200 and 'type="password"' in login.text
        token = csrf_of(login.text)
        bad = http.post("/login", data={"csrf": token, "password": "wrong", "next": "/charts"})
        assert bad.status_code == 401 and "Wrong password" in bad.text
        ok = http.post("/login", data={"csrf": token, "password": PASSWORD, "next": "/charts"})
        assert ok.status_code == 303 and ok.headers["location"] == "/charts"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert http.get("/").status_code == 200
        # A forged or altered session cookie is no session.
        with ui.client() as other:
            value = http.cookies["newswatch_session"]
            other.cookies.set("newswatch_session", value[:-3] + ("AAA" if value[-3:] != "AAA"
                                                                  else "BBB"))
            assert other.get("/").status_code == 303
        # An open redirect through ?next= is refused.
        with ui.client() as third:
            t = csrf_of(third.get("/login").text)
            r = third.post("/login", data={"csrf": t, "password": PASSWORD,
                                           "next": "//evil.example/"})
            assert r.headers["location"] == "/"
        out = http.post("/logout", data={"csrf": csrf_of(http.get("/").text)})
        assert out.status_code == 303 and http.get("/").status_code == 303


def test_beyond_loopback_nothing_is_served_without_authentication(tmp_path: Path) -> None:
    _, config, m = _ledger(tmp_path)
    with ui_server(config, host="0.0.0.0") as ui, ui.client() as http:
        for url in [*_pages(m), "/act/anything"]:
            r = http.get(url)
            assert r.status_code == 503, url
            assert "no authentication is configured" in r.text
            assert m.article.title not in r.text
        assert http.get("/readyz").status_code == 200
    secret = parse_config(f'[ui]\npassword_hash = "{HASH}"').ui.password_hash
    locked = config.model_copy(update={"ui": config.ui.model_copy(
        update={"password_hash": secret})})
    with ui_server(locked, host="0.0.0.0") as ui, ui.client() as http:
        assert http.get("/").status_code == 303  # now a login wall instead


def test_trusted_proxy_header_only_from_trusted_peers(tmp_path: Path) -> None:
    header = 'trusted_proxy_header = "X-Forwarded-User"'
    _, config, _ = _ledger(tmp_path, ui=header)
    with ui_server(config, host="0.0.0.0") as ui, ui.client() as http:
        assert http.get("/").status_code == 401
        r = http.get("/", headers={"X-Forwarded-User": "analyst.kim"})
        assert r.status_code == 200 and "analyst.kim" in r.text
    _, config, _ = _ledger(tmp_path / "b", ui=header + '\ntrusted_proxies = ["10.9.9.9"]')
    with ui_server(config) as ui, ui.client() as http:
        assert http.get("/", headers={"X-Forwarded-User": "mallory"}).status_code == 401


def test_secrets_are_never_rendered(tmp_path: Path) -> None:
    extra = """
[[channels]]
name = "hook"
url = "https://hooks.example.org/in?token=tok-77a1b2c3d4"
secret = "hmac-secret-5e6f7a8b"

[[channels]]
name = "mail"
url = "smtp://alerts:smtp-pass-91x2@mail.example.org:587"
to = ["desk@example.org"]

[[feeds]]
id = "private"
url = "https://feeds.example.org/rss?api_key=feedkey-3c4d5e6f"
"""
    ui = f'password_hash = "{HASH}"\nsecret_key = "sk-0a1b2c3d4e5f6a7b8c9d"'
    path, config, m = _ledger(tmp_path, extra=extra, ui=ui)
    secrets = ["tok-77a1b2c3d4", "hmac-secret-5e6f7a8b", "smtp-pass-91x2", "feedkey-3c4d5e6f",
               HASH.split("$")[-1], "sk-0a1b2c3d4e5f6a7b8c9d", PASSWORD]
    with ui_server(config, config_path=path) as ui, ui.client() as http:
        t = csrf_of(http.get("/login").text)
        http.post("/login", data={"csrf": t, "password": PASSWORD})
        bodies = [http.get(u).text for u in [*_pages(m), "/feeds/export.opml"]]
        bodies.append(http.get("/login").text)
        assert any("hooks.example.org" in b for b in bodies)  # the pages did show channels
        for body in bodies:
            for secret in secrets:
                assert secret not in body


def test_hash_password_command_and_plaintext_refused(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "newswatch", "ui", "hash-password", "--stdin"],
                         input="a long pass phrase\n", capture_output=True, text=True, check=True)
    stored = out.stdout.strip()
    assert stored.startswith("scrypt$") and "a long pass phrase" not in out.stdout
    assert verify_password(stored, "a long pass phrase")
    assert not verify_password(stored, "a long pass phrasE")
    with pytest.raises(ConfigError, match="never put the password itself here"):
        parse_config('[ui]\npassword_hash = "hunter2hunter2"', "x.toml", environ={})
    hash_file = tmp_path / "hash"
    hash_file.write_text(stored + "\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[ui]\npassword_hash_file = "{hash_file}"\n')
    assert load_config(cfg, environ={}).ui.password_hash_value() == stored
    env = {"NEWSWATCH_UI__PASSWORD_HASH": stored}
    assert parse_config("", "env", environ=env).ui.has_auth()
