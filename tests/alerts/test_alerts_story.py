"""Story identity: what makes two similar reports two events (issue 10, item 1), and the bounded
story index (item 10)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from alert_harness import Harness, config_text, make_match

from alerts.story import Fingerprint, StoryIndex
from newswatch.models import Place

RAID = "Gunmen from an armed group crossed the border and attacked a village in {}"
TILLABERI = Place("NE-6", "Tillaberi", "region", "NE")
DOSSO = Place("NE-3", "Dosso", "region", "NE")
NIGER = Place("NE", "Niger")
AYOROU = Place("Ayorou", "Ayorou", "city", "NE", "NE-6")


def fp(title: str, summary: str = "", places=(), groups=(), feed="f1", n=None) -> Fingerprint:
    m = make_match(n or title, title=title, summary=summary, feed=feed)
    return Fingerprint.of(replace(m, places=tuple(places), groups=tuple(groups)))


def index_with(first: Fingerprint) -> StoryIndex:
    index = StoryIndex(0.45, 86400)
    index.add("first", first, 0)
    return index


def test_same_sentence_in_another_place_is_another_story_without_places():
    index = index_with(fp(RAID.format("Tillaberi")))
    assert index.find(fp(RAID.format("Dosso")), 1) is None
    other_outlet = "Village in Tillaberi attacked by gunmen who crossed the border, officials say"
    assert index.find(fp(other_outlet, feed="f2"), 1) == "first"


@pytest.mark.parametrize("first,later,same", [
    ([TILLABERI, NIGER], [DOSSO, NIGER], False),  # two regions of one country
    ([TILLABERI], [AYOROU, TILLABERI], True),  # a town inside the region
    ([AYOROU], [TILLABERI], True),  # the region containing the town
    ([NIGER], [DOSSO], True),  # the country only: nothing contradicts
])
def test_places_from_the_classifier_decide(first, later, same):
    # Title Case headlines: the capitalised-name fallback sees nothing, only places count.
    title = "Gunmen Cross Border And Attack Village, Several Homes Burned"
    index = index_with(fp(title, places=first))
    assert (index.find(fp(title, places=later, n="b"), 1) == "first") is same


@pytest.mark.parametrize("a,b", [
    ("Gunmen attacked a border village, killing 12 people", "Gunmen attacked a border village, "
     "killing 3 people"),
    ("Gunmen attacked a border village on 3 March", "Gunmen attacked a border village on "
     "5 March"),
])
def test_numbers_of_dead_and_dates_separate_events(a, b):
    index = index_with(fp(a))
    assert index.find(fp(b), 1) is None
    assert index.find(fp(a + " overnight", n="again"), 1) == "first"


def test_a_toll_update_follows_its_story_but_not_another_places():
    first = fp(RAID.format("Tillaberi"), "Twelve people were killed, officials said.",
               places=[TILLABERI])
    index = index_with(first)
    update = ("Death toll in attack on village in Tillaberi rises to 30",
              "Gunmen from an armed group crossed the border; 30 people were killed.")
    assert index.find(fp(*update, places=[TILLABERI], n="u"), 1) == "first"
    elsewhere = (update[0].replace("Tillaberi", "Dosso"), update[1])
    assert index.find(fp(*elsewhere, places=[DOSSO], n="d"), 1) is None


def test_disjoint_armed_groups_separate_events_shared_ones_do_not():
    title = "Militants crossed the frontier and raided an outpost overnight"
    index = index_with(fp(title, groups=["Group Alpha"]))
    assert index.find(fp(title, groups=["Group Beta"], n="b"), 1) is None
    assert index.find(fp(title, groups=["Group Alpha", "Group Beta"], n="c"), 1) == "first"


def test_a_report_conflicting_with_the_story_founder_starts_its_own_story():
    index = index_with(fp(RAID.format("Tillaberi")))
    index.add("first", fp("Gunmen from an armed group crossed the border and attacked a village",
                          n="vague"), 1)
    # similar to the vague member, but the story is about Tillaberi and this is Dosso
    assert index.find(fp(RAID.format("Dosso")), 2) is None


def test_fingerprint_round_trips_through_the_ledger_text_and_reads_old_rows():
    f = fp(RAID.format("Tillaberi"), "Twelve people were killed on 3 March.",
           places=[TILLABERI], groups=["Group Alpha"])
    assert {"n:12", "d:03-03", "g:group alpha", "P:NE-6/NE/"} <= f.marks
    assert Fingerprint.decode(f.encode()) == f
    old = Fingerprint.decode("gunmen village|attack border")
    assert old.marks == frozenset() and "attack" in old.full


def test_bounded_story_keeps_its_first_report_and_varied_wordings():
    index = StoryIndex(0.45, 86400, members=4)
    index.add("s", fp("Flood waters cut the river road to Amberton"), 0)
    wordings = ["Harbour cranes idle for day {} of the dock strike",
                "Dockers vote on pay offer as strike enters day {}",
                "Shipping lines reroute cargo while port stoppage continues {}",
                "Ferry passengers stranded by walkout of harbour pilots {}"]
    for i in range(60):  # the story drifts far from its first wording, in four ways
        index.add("s", fp(wordings[i % 4].format(i), n=f"x{i}"), i)
    story = index._stories["s"]
    assert len(story.representatives()) == 4  # the first and three of the four wordings
    assert index.find(fp("Flood waters cut the river road to Amberton again", n="y"), 60) == "s"
    assert index.find(fp("Ferry passengers stranded by walkout of harbour pilots 99", n="z"),
                      60) == "s"  # the most recent wordings are the ones kept
    kept = {tok for rep in story.representatives() for tok in rep.full}
    assert all(("s" in index._by_token[t]) == (t in kept) for t in index._by_token)


def hook(receiver) -> str:
    return f'[[channels]]\nname = "hook"\nurl = "{receiver.url}"\nsecret = "hmac-key-Zq81"\n'


def raid(n: str, place: str, feed: str = "wire") -> object:
    return make_match(n, title=RAID.format(place), feed=feed)


def test_distinct_raids_from_one_feed_are_two_alerts_and_later_reports_follow_up(
        tmp_path, webhook):
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(raid("t", "Tillaberi"))
    h.drain()
    h.clock.advance(3600)  # within what used to be the 4 h repeat interval
    h.publish(raid("d", "Dosso"))
    h.drain()
    h.clock.advance(600)
    h.publish(make_match("t2", title="Village in Tillaberi attacked by gunmen who crossed the "
                         "border, officials say", feed="other"))
    h.drain()
    kinds = [(b["type"], b["alert"]["matches"][0]["article"]["title"]) for b in webhook.bodies]
    assert kinds[0] == ("alert", RAID.format("Tillaberi"))
    assert kinds[1] == ("alert", RAID.format("Dosso"))
    assert kinds[2][0] == "follow_up"
    assert webhook.bodies[2]["alert"]["follow_up_of"] == webhook.bodies[0]["alert"]["id"]
    h.close()


def test_distinct_raids_in_one_batch_are_not_folded_into_one_alert(tmp_path, webhook):
    """What `replay` does: everything arrives at once."""
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(raid("t", "Tillaberi"), raid("d", "Dosso"))
    h.drain()
    assert sorted(len(b["alert"]["matches"]) for b in webhook.bodies) == [1, 1]
    h.close()


def test_matching_against_a_huge_story_compares_a_bounded_number_of_reports(monkeypatch):
    index = StoryIndex(0.45, 86400)
    verbs = ["shelled", "struck", "hit", "attacked", "bombarded", "targeted", "raided"]
    for i in range(3000):  # one war story reported thousands of times in varied words
        index.add("war", fp(f"Forces {verbs[i % 7]} the Kelmor district {i % 13} times overnight "
                            f"in wave {i % 11}", n=f"w{i}"), 0)
    calls = []
    real = Fingerprint.similarity
    monkeypatch.setattr(Fingerprint, "similarity", lambda a, b: calls.append(1) or real(a, b))
    assert index.find(fp("Forces shelled the Kelmor district 5 times overnight in wave 3",
                         n="new"), 1) == "war"
    assert len(calls) <= index.members
