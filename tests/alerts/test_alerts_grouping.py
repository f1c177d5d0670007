"""Story grouping, follow-ups, repeat suppression, group_wait, quiet hours, digests, templates."""

from __future__ import annotations

from datetime import UTC, datetime

from alert_harness import Harness, config_text, make_match

FLOOD = [
    ("feed-a", "Floods hit northern Valdoria, thousands evacuated"),
    ("feed-b", "Thousands evacuated as floods hit Valdoria's north"),
    ("feed-c", "Valdoria floods: thousands flee northern towns"),
]
OTHER = ("feed-d", "Central bank of Ostrava raises interest rates again")


def hook(receiver, extra: str = "") -> str:
    return f"""
[[channels]]
name = "hook"
url = "{receiver.url}"
secret = "hmac-key-Zq81"
{extra}
"""


def mail(server, tls_cert, extra: str = "") -> str:
    return f"""
[[channels]]
name = "mail"
url = "smtp://alice@127.0.0.1:{server.port}?to=ops@x.test&from=nw@x.test"
password = "s3cret-smtp-pw"
ca_file = "{tls_cert[0]}"
{extra}
"""


def story(i: int, **kw):
    feed, title = FLOOD[i]
    return make_match(f"s{i}", title=title, feed=feed, **kw)


def test_three_outlets_one_story_make_one_alert_listing_all_sources(tmp_path, webhook):
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(story(0), story(1), story(2), make_match("o", title=OTHER[1], feed=OTHER[0]))
    h.drain()
    assert len(webhook.bodies) == 2
    flood = next(b for b in webhook.bodies if len(b["alert"]["matches"]) > 1)
    assert flood["alert"]["sources"] == ["feed-a", "feed-b", "feed-c"]
    assert "(3 sources)" in flood["alert"]["title"]
    assert all(f"The Feed-{c} Gazette" in flood["alert"]["text"] for c in "ABC")
    h.close()


def test_later_reports_are_threaded_follow_ups_by_default(tmp_path, smtp_server, tls_cert):
    h = Harness(tmp_path, config_text(tmp_path, mail(smtp_server, tls_cert),
                                      watch_channels='["mail"]'))
    h.publish(story(0))
    h.drain()
    h.clock.advance(600)  # past group_interval (300 s)
    h.publish(story(1))
    h.drain()
    h.clock.advance(600)
    # the same outlet again, a new article: no route asked to suppress repeats -> a follow-up
    h.publish(make_match("s0-bis", title=FLOOD[0][1] + " (updated)", feed="feed-a"))
    h.drain()
    first, second, third = (m for _, _, m in smtp_server.messages)
    for later in (second, third):
        assert later["In-Reply-To"] == first["Message-ID"] == later["References"]
        assert later["Subject"].startswith("[newswatch] Update:")
    assert "Update to an earlier alert: 1 new report\r\n" in second.get_body(("plain",)) \
        .get_content()
    h.close()


def test_repeats_are_suppressed_only_when_a_route_asks_and_stay_visible(tmp_path, webhook):
    extra = """
[[routes]]
name = "quiet-repeats"
watches = ["w"]
channels = ["hook"]
group_wait_secs = 0
repeat_interval_secs = 14400
"""
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), extra))
    h.publish(story(0))
    h.drain()
    h.clock.advance(600)
    again = make_match("s0-bis", title=FLOOD[0][1] + " (updated)", feed="feed-a")
    h.publish(again, story(1))  # the same outlet again (suppressed), another outlet (follow-up)
    h.drain()
    assert [b["type"] for b in webhook.bodies] == ["alert", "follow_up"]
    first_id = webhook.bodies[0]["alert"]["id"]
    row = h.stage.ledger.conn.execute(
        "SELECT disposition, alert_id, reason FROM dispositions WHERE match_id=?", (again.id,)
    ).fetchone()
    assert row[0] == "suppressed" and row[1] == first_id
    assert "repeat" in row[2] and "14400" in row[2] and "quiet-repeats" in row[2]
    h.close()


def test_group_wait_collects_reports_arriving_later(tmp_path, webhook):
    extra = """
[[routes]]
name = "floods"
watches = ["w"]
channels = ["hook"]
group_wait_secs = 120
"""
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), extra))
    h.publish(story(0))
    h.step()
    assert webhook.bodies == []
    h.clock.advance(60)
    h.publish(story(1), story(2))
    h.step()
    assert webhook.bodies == []
    h.clock.advance(61)
    h.step()
    assert len(webhook.bodies) == 1 and len(webhook.bodies[0]["alert"]["matches"]) == 3
    h.close()


QUIET = """
[[routes]]
name = "night"
watches = ["w"]
channels = ["hook"]
group_wait_secs = 0
[routes.quiet_hours]
start = "22:00"
end = "07:00"
timezone = "Europe/Berlin"
bypass_severity = "critical"
"""


def test_quiet_hours_hold_all_but_bypass_severity(tmp_path, webhook):
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), QUIET))
    # 23:30 in Berlin (UTC+1 in March)
    h.clock.now = datetime(2031, 3, 4, 22, 30, tzinfo=UTC).timestamp()
    h.publish(make_match("calm", title="Flood gauge readings normal in Estren"),
              make_match("dam", title="Dam breach at Korvo reservoir", severity="critical"))
    h.step()
    assert [b["alert"]["severity"] for b in webhook.bodies] == ["critical"]
    (note,) = h.stage.ledger.conn.execute(
        "SELECT note FROM deliveries WHERE state='pending'").fetchone()
    assert note == "held: quiet hours until 2031-03-05 06:00 UTC"
    h.clock.now = datetime(2031, 3, 5, 5, 59, tzinfo=UTC).timestamp()  # 06:59 Berlin
    h.step()
    assert len(webhook.bodies) == 1
    h.clock.now = datetime(2031, 3, 5, 6, 0, tzinfo=UTC).timestamp()  # 07:00 Berlin
    h.step()
    assert len(webhook.bodies) == 2 and h.states("hook") == {"sent": 2}
    h.close()


def test_hourly_digest_sends_one_message_per_hour(tmp_path, smtp_server, tls_cert):
    h = Harness(tmp_path, config_text(tmp_path, mail(smtp_server, tls_cert, 'digest = "hourly"'),
                                      watch_channels='["mail"]'))
    h.clock.now = datetime(2031, 3, 4, 12, 10, tzinfo=UTC).timestamp()
    h.publish(make_match(1, title="Flood warning for the Amber river"),
              make_match(2, title="Harbour closed at Pelt after storm surge"))
    h.step()
    h.clock.now = datetime(2031, 3, 4, 12, 50, tzinfo=UTC).timestamp()
    h.publish(make_match(3, title="Landslide blocks mountain pass road"))
    h.step()
    assert smtp_server.messages == [] and h.states("mail") == {"queued": 3}
    h.clock.now = datetime(2031, 3, 4, 13, 0, 5, tzinfo=UTC).timestamp()
    h.step()
    h.step()  # a second tick in the same hour builds nothing new
    (_, _, msg), = smtp_server.messages
    assert msg["Subject"] == "[newswatch] Digest: 3 alerts"
    body = msg.get_body(("plain",)).get_content()
    assert all(t in body for t in ("Amber river", "Pelt", "mountain pass"))
    assert h.states("mail") == {"digested": 3, "sent": 1}
    h.close()


def test_daily_digest_at_local_time(tmp_path, webhook):
    extra = 'digest = "daily"\ndigest_at = "08:00"\ndigest_timezone = "Asia/Tokyo"'
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook, extra), watch_channels='["hook"]'))
    h.clock.now = datetime(2031, 3, 4, 12, 0, tzinfo=UTC).timestamp()  # 21:00 Tokyo
    h.publish(make_match(1, title="Flood warning for the Amber river"))
    h.step()
    h.clock.now = datetime(2031, 3, 4, 22, 59, tzinfo=UTC).timestamp()  # 07:59 Tokyo
    h.step()
    assert webhook.bodies == []
    h.clock.now = datetime(2031, 3, 4, 23, 0, tzinfo=UTC).timestamp()  # 08:00 Tokyo
    h.step()
    assert [b["type"] for b in webhook.bodies] == ["digest"]
    h.close()


def test_user_templates_override_defaults(tmp_path, webhook, smtp_server, tls_cert):
    tpl = tmp_path / "body.j2"
    tpl.write_text("ALERT {{ headline|upper }} via {{ sources|join('+') }}")
    extra = f"""
[channels.templates]
subject = "NW: {{{{ headline }}}}"
text_file = "{tpl}"
html = "<b>{{{{ headline }}}}</b>"
"""
    h = Harness(tmp_path, config_text(tmp_path, mail(smtp_server, tls_cert, extra),
                                      watch_channels='["mail"]'))
    h.publish(make_match(1, title="Flood <warning> & more"))
    h.drain()
    (_, _, msg), = smtp_server.messages
    assert msg["Subject"] == "NW: Flood <warning> & more"
    plain = msg.get_body(("plain",)).get_content().strip()
    assert plain == "ALERT FLOOD <WARNING> & MORE via feed-a"
    assert msg.get_body(("html",)).get_content().strip() == \
        "<b>Flood &lt;warning&gt; &amp; more</b>"  # autoescaped
    h.close()


def test_default_template_shows_labels_groups_reasons_and_link(tmp_path, webhook):
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(make_match(1, title="Flood warning for the Amber river", url="https://a.test/x"))
    h.drain()
    text = webhook.bodies[0]["alert"]["text"]
    for part in ("Flood warning for the Amber river", "The Feed-A Gazette", "2031-03-04 11:30 UTC",
                 "reads as flood (91%)", "named: Valdoria Relief Corps", "mentions flood",
                 "https://a.test/x"):
        assert part in text
    assert "other" not in text  # labels below 0.5 are not shown
    h.close()
