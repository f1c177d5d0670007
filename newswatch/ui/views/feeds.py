"""Feeds: health (ok / failing since / last error / next poll), add and remove, OPML import
and export. Edits go into the config file (comments kept) and apply by hot reload."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from newswatch.ui.configfile import ConfigEditError, ConfigFile, add_feed, append_feeds, remove_feed
from newswatch.ui.context import UiContext
from newswatch.ui.web import flash, mask_url, page, post, redirect, route

MAX_OPML = 20 * 1024 * 1024


def _states(ctx: UiContext) -> tuple[dict, str]:
    from collectors.stage import state_path
    from collectors.state import FeedStateStore

    path = Path(state_path(ctx.config()))
    if not path.exists():
        return {}, "No feed state on this host (the collect stage has not run here yet)."
    store = FeedStateStore(path)
    try:
        return store.all(), ""
    finally:
        store.close()


def feeds(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    states, note = _states(ctx)
    return page(request, "feeds.html", {
        "feeds": ctx.config().feeds, "states": states, "note": note,
        "editable": ctx.config_path is not None,
    })


def _edit(request: Request, change, message_ok: bool = True) -> Response:  # noqa: ANN001
    ctx: UiContext = request.app.state.ctx
    if ctx.config_path is None:
        flash(request, "The service runs without a config file (bundled sample): nothing to "
              "edit. Start it with -c FILE.", False)
        return redirect("/feeds")
    try:
        done = ConfigFile(ctx.config_path).edit(change)
    except ConfigEditError as exc:
        flash(request, f"Not saved: {exc}", False)
        return redirect("/feeds")
    ctx.hooks.reload()
    flash(request, f"{done[0].upper()}{done[1:]}; the running service applies it now.",
          message_ok)
    return redirect("/feeds")


def add(request: Request, form: FormData) -> Response:
    feed_id = str(form.get("id", "")).strip()
    url = str(form.get("url", "")).strip()
    if not feed_id:
        from collectors.opml import slug

        feed_id = slug(re.sub(r"^https?://", "", url))
    try:
        interval = int(str(form.get("interval_secs") or 300))
    except ValueError:
        flash(request, "Not saved: the poll interval must be a whole number of seconds.", False)
        return redirect("/feeds")
    entry = {"id": feed_id, "url": url, "title": str(form.get("title", "")).strip(),
             "interval_secs": interval}
    return _edit(request, lambda doc: add_feed(doc, entry))


def remove(request: Request, form: FormData) -> Response:
    feed_id = request.path_params["feed_id"]
    return _edit(request, lambda doc: remove_feed(doc, feed_id))


async def _upload(form: FormData) -> bytes:
    item = form.get("opml")
    if not isinstance(item, UploadFile):
        return b""
    return await item.read(MAX_OPML + 1)


def import_opml(request: Request, form: FormData) -> Response:
    from collectors.opml import OpmlError, feeds_toml, read_opml

    data = request.state.upload
    if not data:
        flash(request, "Choose an OPML file to import.", False)
        return redirect("/feeds")
    try:
        outlines = read_opml(data, "uploaded OPML")
    except OpmlError as exc:
        flash(request, f"Not imported: {exc}", False)
        return redirect("/feeds")
    config = request.app.state.ctx.config()
    block, added, skipped = feeds_toml(outlines, {f.id for f in config.feeds},
                                       {f.url for f in config.feeds})
    if not added:
        flash(request, f"Nothing to import: {len(skipped)} feed(s) are configured already.")
        return redirect("/feeds")

    def change(doc) -> str:  # noqa: ANN001
        append_feeds(doc, block)
        return f"{len(added)} feed(s) imported ({len(skipped)} already configured)"

    return _edit(request, change)


async def import_endpoint(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from newswatch.ui.web import checked_form

    form = await checked_form(request)
    request.state.upload = await _upload(form)
    return await run_in_threadpool(import_opml, request, form)


def export_opml(request: Request) -> Response:
    ctx: UiContext = request.app.state.ctx
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<opml version="2.0">',
             "<head><title>newswatch feeds</title></head>", "<body>"]
    for f in ctx.config().feeds:
        title = quoteattr(f.title or f.id)
        lines.append(f'<outline type="rss" text={title} title={title} '
                     f"xmlUrl={quoteattr(mask_url(f.url))}/>")  # credentials stay in the config
    lines += ["</body>", "</opml>", ""]
    return Response("\n".join(lines), media_type="text/x-opml; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="newswatch-feeds.opml"'})


routes = [route("/feeds", feeds), route("/feeds/add", post(add), ["POST"]),
          route("/feeds/{feed_id}/remove", post(remove), ["POST"]),
          route("/feeds/import", import_endpoint, ["POST"]),
          route("/feeds/export.opml", export_opml)]
