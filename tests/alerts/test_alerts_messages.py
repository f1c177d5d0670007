"""One article, one message per channel (issue 10, item 3) and messages a reader can use
(item 8): summary, places, groups and a plain-words "why" in every email and chat message."""

from __future__ import annotations

from dataclasses import replace

from alert_harness import Harness, make_match

from alerts.render import Renderer
from newswatch.config.channels import Templates
from newswatch.models import Alert, LabelScore, Place


def two_watches(tmp_path, server, tls_cert, routes: str = "", b_channels='["mail"]') -> str:
    return f"""
[service]
data_dir = "{tmp_path}/data"

[[watches]]
name = "raids"
severity = "high"
channels = ["mail"]
keywords = {{ any = ["raid"] }}

[[watches]]
name = "groups"
severity = "critical"
channels = {b_channels}
keywords = {{ any = ["legion"] }}

[[channels]]
name = "mail"
url = "smtp://alice@127.0.0.1:{server.port}?to=ops@x.test&from=nw@x.test"
password = "s3cret-smtp-pw"
ca_file = "{tls_cert[0]}"
{routes}
"""


def both(n: str, title: str, feed: str = "wire"):
    a = make_match(n, title=title, feed=feed, watch="raids", severity="high")
    return a, replace(a, watch="groups", severity="critical")


def test_an_article_matching_two_watches_is_one_message_at_the_highest_severity(
        tmp_path, smtp_server, tls_cert):
    h = Harness(tmp_path, two_watches(tmp_path, smtp_server, tls_cert))
    h.publish(*both("1", "Legion fighters raid a border post near Amberton"))
    h.drain()
    (_, _, first), = smtp_server.messages
    assert first["Subject"].startswith("[newswatch CRITICAL] Legion fighters raid")
    plain = first.get_body(("plain",)).get_content()
    assert "[groups, raids] Legion fighters raid a border post" in plain
    assert plain.count("Legion fighters raid a border post") == 1
    states = dict(h.stage.ledger.conn.execute(
        "SELECT a.route, d.state FROM deliveries d JOIN alerts a ON a.id=d.alert_id"))
    assert states == {"watch-raids": "merged", "watch-groups": "merged",
                      "merged:watch-groups+watch-raids": "sent"}
    # the next report of the story: again one message, threaded under the merged one
    h.clock.advance(600)
    h.publish(*both("2", "Legion fighters raid border post near Amberton, officials say",
                    feed="other"))
    h.drain()
    assert len(smtp_server.messages) == 2
    second = smtp_server.messages[1][2]
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["Subject"].startswith("[newswatch CRITICAL] Update:")
    h.close()


def test_a_later_route_alert_for_an_article_already_sent_is_merged_not_resent(
        tmp_path, smtp_server, tls_cert):
    route = """
[[routes]]
name = "slow"
watches = ["groups"]
channels = ["mail"]
group_wait_secs = 60
"""
    h = Harness(tmp_path, two_watches(tmp_path, smtp_server, tls_cert, route, '[]'))
    h.publish(*both("1", "Legion fighters raid a border post near Amberton"))
    h.step()
    assert len(smtp_server.messages) == 1
    h.clock.advance(61)
    h.step()
    assert len(smtp_server.messages) == 1
    (state, carrier, note), = h.stage.ledger.conn.execute(
        "SELECT d.state, d.digest_id, d.note FROM deliveries d JOIN alerts a ON a.id=d.alert_id "
        "WHERE a.route='slow'").fetchall()
    first_id = smtp_server.messages[0][2]["X-Newswatch-Alert-Id"]
    assert state == "merged" and carrier == first_id and "already went out" in note
    h.close()


def reader_match():
    m = make_match("r", title="Des hommes armés ont franchi la frontière et attaqué un village",
                   summary="Des hommes armés venus de l'autre côté de la frontière ont attaqué "
                   "un village de la région de Dosso dans la nuit, selon les autorités locales.")
    article = replace(m.article, language="fr")
    return replace(
        m, article=article, watch="raids", groups=("Groupe Alpha",),
        labels=(LabelScore("cross_border_raid", 0.873), LabelScore("armed_group", 0.2)),
        places=(Place("NE-3", "Dosso", "region", "NE"), Place("NE", "Niger")),
        reasons=("label cross_border_raid 0.87 >= 0.5",
                 "cross_border_raid 0.87: 'les', 'franchi', 'village', "
                 "'[border words and a group]', 'de la'",
                 "group Groupe Alpha (as 'GA')"),
    )


def test_messages_carry_summary_places_groups_and_a_plain_why(tmp_path, smtp_server, tls_cert):
    h = Harness(tmp_path, two_watches(tmp_path, smtp_server, tls_cert))
    h.publish(reader_match())
    h.drain()
    msg = smtp_server.messages[0][2]
    for body in (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()):
        assert "région de Dosso dans la nuit" in body  # the summary
        assert "Dosso, Niger" in body and "Groupe Alpha" in body
        assert "reads as cross-border raid (87%): franchi, village" in body
        assert "names Groupe Alpha (as GA)" in body
        for jargon in ("[border words", "'les'", "de la,", "0.87", "armed group (20%)"):
            assert jargon not in body
    h.close()


def test_chat_payloads_and_user_templates_get_the_same_content():
    alert = Alert(id="a1", route="r", matches=(reader_match(),))
    for kind in ("slack", "discord", "teams"):
        text = Renderer("c", kind, Templates()).render_body(alert)
        assert "Dosso" in text and "Groupe Alpha" in text and "franchi" in text, kind
        assert "border words" not in text and "87%" in text, kind
    tpl = Templates(text="{% for i in items %}{{ i.summary[:20] }}|{{ i.places|join('/') }}|"
                         "{{ i.groups|join('/') }}|{{ i.why[0] }}{% endfor %}")
    text = Renderer("c", "email", tpl).render_body(alert)
    assert text == ("Des hommes armés ven|Dosso/Niger|Groupe Alpha|"
                    "reads as cross-border raid (87%): franchi, village")


def test_links_render_when_given_and_not_otherwise():
    alert = Alert(id="a1", route="r", matches=(reader_match(),))
    plain = Renderer("c", "email", Templates())
    assert "http://ui.test" not in plain.render_body(alert)
    art = alert.matches[0].article.id
    linked = Renderer("c", "email", Templates(), links=lambda a, ch: {
        "": {"open in newswatch": f"http://ui.test/alerts/{a.id}"},
        art: {"not relevant": f"http://ui.test/feedback/{ch}/{art}"}})
    text = linked.render_body(alert)
    assert "open in newswatch: http://ui.test/alerts/a1" in text
    assert f"not relevant: http://ui.test/feedback/c/{art}" in text
    html = linked.render_body(alert, html_body=True)
    assert f'<a href="http://ui.test/feedback/c/{art}">not relevant</a>' in html
