"""End to end in a browser: a chair and two delegations complete a round, then the debrief.

Also: typed input survives live updates, a chair's stale draft is refused with the
difference, feedback appears beside the form, the debrief prints on a few pages and no
page scrolls sideways at a phone's width.

Drives Debian's Chromium through Playwright (no browser download). ``.ci/run``
installs Chromium; on a machine without it this test is skipped, and says so.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

from accord.server.db import session_factory, upgrade
from accord.server.service import create_exercise
from tests.conftest import SCENARIOS
from tests.launch import free_port, start_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _serious_accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def tab(page: Any, name: str) -> None:
    """Show one part of the desk, as a user clicks its tab."""
    from playwright.sync_api import expect

    button = page.get_by_role("tab", name=name)
    button.click()
    expect(button).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#{button.get_attribute('aria-controls')}")).to_be_visible()


def test_a_round_in_the_browser(tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    database = f"sqlite:///{tmp_path / 'e2e.db'}"
    upgrade(database)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(
            session, (SCENARIOS / "northeast-asia-2002.toml").read_text(), "bilateral-us-dprk"
        )
    token = {s.party or s.role: s.token for s in seats}
    port = free_port()
    server = start_server(database, port)
    base = f"http://127.0.0.1:{port}"

    def link(who: str) -> str:
        return f"{base}/?exercise={exercise.id}&token={token[who]}"

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            refused: list[str] = []  # what the content security policy blocked, on any page

            def seat_page(who: str) -> Page:
                page = browser.new_page()
                page.on(
                    "console",
                    lambda m: refused.append(m.text) if "Content Security" in m.text else None,
                )
                page.goto(link(who))
                # The join link's token is exchanged for a session and leaves the address bar.
                expect(page).not_to_have_url(re.compile("token="), timeout=10_000)
                return page

            # The facilitator opens the round from the page (these buttons once did nothing).
            facilitator = seat_page("facilitator")
            expect(facilitator.locator("#round")).to_contain_text("paused", timeout=10_000)
            facilitator.get_by_role("button", name="Open round").click()
            expect(facilitator.locator("#round")).to_contain_text("open", timeout=10_000)
            # The facilitator sets the scenario clock: a day of the scenario per real minute.
            facilitator.get_by_label("Scenario clock: it is now").fill("2002-11-20T09:00")
            facilitator.get_by_label("Scenario minutes per real minute").fill("1440")
            facilitator.get_by_role("button", name="Set the scenario clock").click()
            expect(facilitator.locator("#clock-form + .feedback")).to_contain_text(
                "The scenario clock now reads"
            )

            usa, dprk, chair = (seat_page(who) for who in ("usa", "dprk", "chair"))
            for page, who in ((usa, "usa"), (dprk, "dprk"), (chair, "chair")):
                expect(page.locator("#who")).to_contain_text(who if who != "chair" else "chair")
            expect(usa.locator("#who")).to_contain_text("the scenario is set on")
            expect(usa.locator("#who")).to_contain_text("2002")  # the scenario's date, not today
            # Times on the scenario's clock: in the header, and on the timeline.
            expect(usa.locator("#scenario-time")).to_contain_text("Scenario time:")
            expect(usa.locator("#scenario-time")).to_contain_text("2002")
            expect(usa.locator("#timeline li").last).to_contain_text("2002")
            # A delegation reads its brief from the scenario: positions, priorities, sources.
            expect(usa.locator("#brief")).to_contain_text("United States")
            expect(usa.locator("#brief")).to_contain_text("priority")
            expect(chair.locator("#brief")).to_be_hidden()
            # No serious or critical accessibility problem on any seat's page (axe-core).
            observer = seat_page("observer")
            expect(observer.locator("#who")).to_contain_text("observer")
            for page in (facilitator, usa, chair, observer):
                assert _serious_accessibility_problems(page) == []
            # The check can fail: an image without a text alternative is critical.
            observer.evaluate("document.body.insertAdjacentHTML('beforeend', '<img id=probe>')")
            assert any("image-alt" in p for p in _serious_accessibility_problems(observer))
            observer.evaluate("document.getElementById('probe').remove()")
            # Each seat is told what it can do next, at the top.
            expect(usa.locator("#next")).to_contain_text("Comment on the chair's text")
            expect(chair.locator("#next")).to_contain_text("issue a new version")

            # The desk's parts are tabs, the first of the seat's shown; arrow keys move along.
            expect(usa.get_by_role("tab", name="Overview")).to_have_attribute(
                "aria-selected", "true"
            )
            expect(usa.locator("#panel-text")).to_be_hidden()
            usa.get_by_role("tab", name="Overview").focus()
            usa.keyboard.press("ArrowRight")
            expect(usa.get_by_role("tab", name="Text")).to_be_focused()
            expect(usa.locator("#panel-text")).to_be_visible()
            expect(usa.locator("#panel-overview")).to_be_hidden()
            expect(observer.get_by_role("tab", name="Overview")).to_be_hidden()  # nothing there
            # The next action says where to go, and goes there.
            usa.get_by_role("tab", name="Timeline").click()
            usa.locator("#next").get_by_role("button", name="Go to Text").click()
            expect(usa.locator("#panel-text")).to_be_visible()

            # What a delegation is typing survives a live update of the same part of the page.
            for page in (usa, dprk):
                tab(page, "Channels")
            plenary = usa.locator("form[data-channel] input[name=body]").first
            plenary.fill("We propose to begin with a freeze")
            dprk.locator("form[data-channel] input[name=body]").first.fill(
                "Security guarantees first"
            )
            dprk.locator("form[data-channel] button").first.click()
            expect(usa.locator(".notice").first).to_contain_text(
                "changed while you were typing", timeout=10_000
            )
            expect(plenary).to_have_value("We propose to begin with a freeze")
            plenary.press("Enter")  # sending clears the form and lets the update in
            expect(usa.locator("#channels")).to_contain_text("Security guarantees first")
            expect(usa.locator("#channels")).to_contain_text("begin with a freeze", timeout=10_000)

            # A delegation comments with an amendment, by keyboard only.
            tab(usa, "Text")
            tab(chair, "Text")
            usa.locator("#issue-select").select_option("nuclear")
            usa.locator("#comment-form textarea").fill("Prompt, verifiable dismantlement first")
            usa.locator("#comment-form textarea").press("Tab")
            usa.keyboard.type("80")  # the amendment
            usa.keyboard.press("Tab")
            usa.keyboard.press("Enter")
            expect(chair.locator("#comments")).to_contain_text("Prompt, verifiable", timeout=10_000)
            # The delegation sees its own comment; the facilitator reads every one.
            expect(usa.locator("#my-comments")).to_contain_text("Prompt, verifiable")
            expect(usa.locator("#my-comments")).to_contain_text("amend to 80")
            expect(facilitator.locator("#comments")).to_contain_text(
                "Prompt, verifiable", timeout=10_000
            )
            expect(dprk.locator("#my-comments")).not_to_contain_text("Prompt, verifiable")
            # Feedback where the user is looking: beside the form, saying what was recorded.
            expect(usa.locator("#comment-form + .feedback")).to_contain_text(
                "is recorded for the chair, with an amendment to 80"
            )
            # The chair takes the amendment into its draft with one button.
            chair.get_by_role("button", name="Put 80 in my draft").click()
            expect(chair.locator('#revise-fields input[name="nuclear"]')).to_have_value("80")

            # The chair revises in one tab while a second tab issues a version first: the
            # typed draft is kept, and issuing it is refused with where the two differ.
            chair.locator('#revise-fields input[name="nuclear"]').fill("70")
            chair.get_by_label("bracket kuril").check()
            other_tab = seat_page("chair")
            tab(other_tab, "Text")
            expect(other_tab.locator("#revise-fields")).to_contain_text("Editing version 1")
            other_tab.locator('#revise-form input[name="note"]').fill("from the other tab")
            other_tab.get_by_role("button", name="Issue new version").click()
            expect(
                chair.locator("#revise-form").locator("xpath=..").locator(".notice")
            ).to_contain_text("changed while you were typing", timeout=10_000)
            expect(chair.locator('#revise-fields input[name="nuclear"]')).to_have_value("70")
            chair.get_by_role("button", name="Issue new version").click()
            expect(chair.locator("#revise-form + .feedback")).to_contain_text(
                "Not issued: the text moved on to version 2", timeout=10_000
            )
            other_tab.close()
            chair.get_by_role("button", name="Show the new version").click()
            chair.locator('#revise-fields input[name="nuclear"]').fill("70")
            chair.get_by_label("bracket kuril").check()
            chair.locator('#revise-form input[name="note"]').fill("second draft")
            chair.get_by_role("button", name="Issue new version").click()
            expect(chair.locator("#revise-form + .feedback")).to_contain_text("Version 3 is issued")
            expect(dprk.locator("#text")).to_contain_text("Version 3", timeout=10_000)
            expect(dprk.locator("#text .bracket")).to_have_count(1)  # kuril, not yet agreed
            expect(dprk.locator("#history")).to_contain_text("Version 2")
            expect(dprk.locator("#history tr.changed")).to_have_count(2)  # nuclear; kuril's bracket
            # Issues in the scenario's words, and the scale's labelled points beside the editor.
            expect(dprk.locator("#history")).to_contain_text("DPRK nuclear programme")
            expect(chair.locator("#revise-fields")).to_contain_text("DPRK nuclear programme")
            expect(chair.locator("#revise-fields")).to_contain_text("0 =")

            # A delegation tables the text; both accept, with reasons; the chair closes the vote.
            for page in (usa, dprk, chair):
                tab(page, "Proposals")
            dprk.locator('#proposal-form input[name="title"]').fill("Package of the second draft")
            dprk.get_by_role("button", name="Table the current text as a proposal").click()
            for page in (usa, dprk):
                page.locator('#proposals input[name="reason"]').fill(
                    f"{page is usa} can live with it"
                )
                page.get_by_role("button", name="accept").first.click(timeout=10_000)
                expect(page.locator("#proposals")).to_contain_text(
                    "your vote: accept", timeout=10_000
                )
                if page is usa:  # one vote in: said in the singular
                    expect(chair.locator("#proposals")).to_contain_text(
                        "1 vote cast", timeout=10_000
                    )
            expect(chair.locator("#proposals")).to_contain_text("2 votes cast", timeout=10_000)
            expect(chair.locator("#next")).to_contain_text("Every delegation has voted")
            expect(chair.locator("#timeline")).to_contain_text("usa voted on proposal #1")
            # The facilitator's dashboard: who is here, has commented and has voted.
            usa_row = facilitator.locator("#dashboard tr", has_text="usa")
            expect(usa_row).to_contain_text("page open", timeout=10_000)
            expect(usa_row).to_contain_text("1 of 1")
            expect(usa_row).to_contain_text("usa voted on proposal #1")
            expect(chair.locator("#proposals")).to_contain_text("DPRK nuclear programme")
            chair.get_by_role("button", name="Close the vote").click()
            expect(usa.locator("#proposals")).to_contain_text("adopted", timeout=10_000)
            expect(usa.locator("#proposals")).to_contain_text("can live with it")

            # A second proposal fails; the chair closes it with a statement in its own words.
            dprk.locator('#proposal-form input[name="title"]').fill("Treaty first")
            dprk.get_by_role("button", name="Table the current text as a proposal").click()
            treaty = usa.locator("#proposals > div", has_text="Treaty first")
            treaty.locator('input[name="reason"]').fill("No guarantees before dismantlement")
            treaty.get_by_role("button", name="reject").click(timeout=10_000)
            expect(treaty).to_contain_text("your vote: reject", timeout=10_000)
            closing = chair.locator("#proposals > div", has_text="Treaty first")
            expect(closing).to_contain_text("1 vote cast", timeout=10_000)
            closing.get_by_label("Your statement if it is not adopted").fill(
                "The chair notes broad support for talks, not yet for a treaty."
            )
            closing.get_by_role("button", name="Close the vote").click()
            expect(chair.locator("#timeline")).to_contain_text(
                "not yet for a treaty", timeout=10_000
            )
            expect(usa.locator("#proposals")).to_contain_text("rejected", timeout=10_000)

            # Two delegations talk privately: the chair does not see the channel.
            tab(usa, "Channels")
            usa.locator('#channel-form input[name="name"]').fill("Back channel")
            usa.locator("#channel-members").get_by_label("dprk").check()
            usa.get_by_role("button", name="Open channel").click()
            expect(usa.locator("#channel-form + .feedback")).to_contain_text("is open to")
            expect(dprk.locator("#channels")).to_contain_text("Back channel", timeout=10_000)
            expect(chair.locator("#channels")).not_to_contain_text("Back channel")

            # An inject reaches the delegations marked new until read, on its tab too.
            tab(facilitator, "Injects")
            facilitator.locator('#inject-form input[name="title"]').fill("Satellite images")
            facilitator.locator("#inject-form textarea").fill("Activity at Yongbyon resumed.")
            facilitator.get_by_role("button", name="Send inject").click()
            expect(facilitator.locator("#inject-form + .feedback")).to_contain_text(
                "sent to every delegation"
            )
            expect(usa.get_by_role("tab", name="Injects")).to_contain_text("1 new", timeout=10_000)
            tab(usa, "Injects")
            expect(usa.locator("#injects-new")).to_contain_text("1 new inject", timeout=10_000)
            expect(usa.locator("#injects li.new")).to_contain_text("Satellite images")
            usa.locator("#injects-new").get_by_role("button", name="Mark as read").click()
            expect(usa.locator("#injects li.new")).to_have_count(0)
            expect(usa.locator("#injects-new")).to_be_empty()
            expect(usa.get_by_role("tab", name="Injects")).not_to_contain_text("new")
            expect(usa.locator("#channels-new")).to_contain_text("new message")  # dprk's

            # A delegation notifies a military activity late; the observer sees it live, flagged.
            tab(usa, "Activities")
            usa.locator('#notify-form input[name="activity"]').fill("Foal Eagle exercise")
            usa.locator('#notify-form input[name="troops"]').fill("20000")
            usa.locator('#notify-form input[name="starts"]').fill("2002-12-01")
            usa.get_by_role("button", name="Notify").click()
            expect(usa.locator("#notify-form + .feedback")).to_contain_text("Notified")
            expect(observer.locator("#notifications")).to_contain_text(
                "Foal Eagle exercise", timeout=10_000
            )

            # The facilitator's console: thresholds, then a notice from a delegation is checked.
            tab(facilitator, "Activities")
            facilitator.get_by_label("Days of notice required").fill("60")
            facilitator.get_by_role("button", name="Save thresholds").click()
            expect(usa.locator("#thresholds-now")).to_contain_text("60 days", timeout=10_000)

            # The facilitator gives the round a deadline a few seconds away; it closes the round.
            tab(facilitator, "Overview")
            soon = facilitator.evaluate(
                "(() => { const d = new Date(Date.now() + 4000);"
                " const p = n => String(n).padStart(2, '0');"
                " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}"
                "T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`; })()"
            )
            facilitator.get_by_label("Deadline of this round").fill(soon)
            facilitator.get_by_role("button", name="Set deadline").click()
            expect(facilitator.locator("#deadline-form + .feedback")).to_contain_text(
                "The round now closes at"
            )
            expect(usa.locator("#clock")).to_contain_text("closes at", timeout=10_000)
            expect(usa.locator("#round")).to_contain_text("closed", timeout=20_000)
            expect(usa.locator("#timeline")).to_contain_text("closed at its deadline")
            facilitator.get_by_role("button", name="Open the archive for the debrief").click()
            facilitator.locator("#next").get_by_role("button", name="Go to Debrief").click()
            expect(facilitator.locator("#panel-debrief")).to_be_visible()
            expect(facilitator.locator("#debrief")).to_contain_text(
                "Adopted by consensus as a joint statement", timeout=10_000
            )
            usa.reload()  # the session cookie, not the address, names the seat now
            debrief = usa.locator("#debrief")
            expect(debrief).to_contain_text("Adopted by consensus", timeout=10_000)
            expect(debrief).to_contain_text("70")
            expect(debrief).to_contain_text("United States")  # names, not ids
            expect(debrief).to_contain_text("where rational bargainers")  # what Nash means
            # The final text downloads as a document in words.
            tab(usa, "Debrief")
            with usa.expect_download() as downloading:
                usa.get_by_role("button", name="Download the final text").click()
            saved = downloading.value
            assert saved.suggested_filename == f"exercise-{exercise.id}-final-text.md"
            document = Path(saved.path()).read_text(encoding="utf-8")
            assert "**Adopted text (proposal #1" in document
            assert "United States — accept: True can live with it" in document
            assert _serious_accessibility_problems(usa) == []  # the debrief too
            # The debrief prints on a few pages: the forms and the live parts are left out.
            pdf = usa.pdf(format="A4")
            assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") <= 3
            # At a phone's width nothing scrolls sideways.
            usa.set_viewport_size({"width": 390, "height": 844})
            for page in (usa, chair, facilitator):
                page.set_viewport_size({"width": 390, "height": 844})
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= 390, (page.locator("#who").inner_text(), wide)
            assert refused == []
            browser.close()
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
