"""Watches: the list, an edit form that writes the config file (validated first, comments kept,
applied by hot reload), and "test this watch" over the last N articles off the bus."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from newswatch.config.routing import SEVERITIES
from newswatch.config.watches import WatchConfig
from newswatch.ui import configfile
from newswatch.ui.context import UiContext
from newswatch.ui.web import flash, page, post, redirect, route

TEST_DEFAULT, TEST_MAX = 500, 5000


def _lines(form: FormData, key: str) -> list[str]:
    return [ln.strip() for ln in str(form.get(key, "")).splitlines() if ln.strip()]


def values_from(form: FormData) -> dict[str, Any]:
    """The watch form as config values (raises ValueError naming the field)."""
    from classifiers.model import LABELS

    labels = {}
    for label in LABELS:
        raw = str(form.get(f"label_{label}", "")).strip()
        if raw:
            try:
                labels[label] = round(float(raw), 4)
            except ValueError:
                raise ValueError(f"minimum score of {label}: {raw!r} is not a number") from None
    return {
        "severity": str(form.get("severity", "normal")), "labels": labels,
        "labels_mode": str(form.get("labels_mode", "any")),
        "keywords": {k: _lines(form, f"kw_{k}") for k in ("any", "all", "none")},
        "regexes": {k: _lines(form, f"rx_{k}") for k in ("any", "none")},
        "groups": _lines(form, "groups"), "candidates": form.get("candidates") == "on",
        "feeds": [str(v) for v in form.getlist("feeds")],
        "languages": [x.strip() for x in str(form.get("languages", "")).split(",") if x.strip()],
        "channels": [str(v) for v in form.getlist("channels")],
    }


def watch_from(name: str, values: dict[str, Any]) -> WatchConfig:
    try:
        return WatchConfig.model_validate({"name": name, **values})
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'watch'}: {e['msg']}"
                    for e in exc.errors()]
        raise ValueError("; ".join(problems)) from None


def _form_page(request: Request, watch: WatchConfig | None, values: dict | None = None,
               status: int = 200, error: str = "") -> Response:
    ctx: UiContext = request.app.state.ctx
    from classifiers.model import LABELS

    cfg = ctx.config()
    digest = configfile.ConfigFile(ctx.config_path).read()[1] if ctx.config_path else ""
    if values is None:
        values = watch.model_dump() if watch else WatchConfig(name="new").model_dump()
    return page(request, "watch_edit.html", {
        "watch": watch, "v": values, "labels": LABELS, "severities": SEVERITIES,
        "channels": [c.name for c in cfg.channels], "feeds": [f.id for f in cfg.feeds],
        "digest": digest, "error": error, "editable": ctx.config_path is not None,
        "test_default": TEST_DEFAULT, "recent": len(ctx.recent),
    }, status)


def watches(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    counts = {v: n for v, _, n in ctx.facets()["watch"]}
    return page(request, "watches.html", {"watches": ctx.config().watches, "counts": counts,
                                          "editable": ctx.config_path is not None})


def edit(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    name = request.path_params["name"]
    watch = next((w for w in ctx.config().watches if w.name == name), None)
    if watch is None:
        return page(request, "error.html", {"title": "Not found",
                    "message": f"No watch named {name!r}."}, 404)
    return _form_page(request, watch)


def new(request: Request) -> Response:
    return _form_page(request, None)


def save(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    creating = request.path_params.get("name") is None
    name = str(form.get("name", "")).strip() if creating else request.path_params["name"]
    current = next((w for w in ctx.config().watches if w.name == name), None)
    try:
        values = values_from(form)
        watch_from(name, values)
    except ValueError as exc:
        return _form_page(request, current, _as_form(form), 400, str(exc))
    if ctx.config_path is None:
        return _form_page(request, current, _as_form(form), 400,
                          "The service runs without a config file: nothing to edit.")
    try:
        done = configfile.ConfigFile(ctx.config_path).edit(
            lambda doc: configfile.set_watch(doc, name, values, create=creating),
            expect=str(form.get("digest", "")))
    except configfile.ConfigEditError as exc:
        return _form_page(request, current, _as_form(form), 400, f"Not saved: {exc}")
    ctx.hooks.reload()
    flash(request, f"{done[0].upper()}{done[1:]}: the running service applies it to the next "
          "articles (no restart).")
    return redirect(f"/watches/{name}")


def delete(request: Request, form: FormData) -> Response:
    ctx: UiContext = request.app.state.ctx
    name = request.path_params["name"]
    if ctx.config_path is None:
        flash(request, "The service runs without a config file: nothing to edit.", False)
        return redirect("/watches")
    try:
        done = configfile.ConfigFile(ctx.config_path).edit(
            lambda doc: configfile.delete_watch(doc, name))
    except configfile.ConfigEditError as exc:
        flash(request, f"Not deleted: {exc}", False)
        return redirect(f"/watches/{name}")
    ctx.hooks.reload()
    flash(request, f"{done[0].upper()}{done[1:]}.")
    return redirect("/watches")


def _as_form(form: FormData) -> dict[str, Any]:
    """Re-show what was typed after an error (same shape as ``WatchConfig.model_dump``)."""
    try:
        return {"name": str(form.get("name", "")), **values_from(form)}
    except ValueError:
        return WatchConfig(name="new").model_dump()


def test(request: Request, form: FormData) -> Response:
    """Run the watch as edited (not saved) over the last N articles: what it would match."""
    from classifiers.rules import RuleWatch

    ctx: UiContext = request.app.state.ctx
    name = str(form.get("name", "") or form.get("original", "") or "test")
    saved = next((w for w in ctx.config().watches if w.name == form.get("original")), None)
    try:
        n = max(1, min(TEST_MAX, int(str(form.get("n") or TEST_DEFAULT))))
        values = values_from(form)
        watch = watch_from(name, values)
    except ValueError as exc:
        return _form_page(request, saved, _as_form(form), 400, str(exc))
    articles = ctx.recent.latest(n)
    evidence = ctx.model.analyze(articles) if articles else []
    rule, before = RuleWatch(watch), RuleWatch(saved) if saved else None
    hits, why_not, was = [], Counter(), 0
    for article, ev in zip(articles, evidence, strict=True):
        match, reason = rule.check(article, ev)
        old = before.check(article, ev)[0] if before else None
        was += old is not None
        if match is not None:
            hits.append((article, match, old is not None))
        else:
            why_not[reason.split(":")[0]] += 1
    return page(request, "watch_test.html", {
        "name": name, "n": len(articles), "asked": n, "hits": hits, "why_not":
        why_not.most_common(8), "saved": saved, "was": was, "error": ctx.recent.error,
    })


routes = [route("/watches", watches), route("/watches/_new", new),
          route("/watches/_new", post(save), ["POST"]),
          route("/watches/_test", post(test), ["POST"]),
          route("/watches/{name}", edit), route("/watches/{name}", post(save), ["POST"]),
          route("/watches/{name}/delete", post(delete), ["POST"])]
