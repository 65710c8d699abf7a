"""A reader's own news in a real headless Chromium (issue 14): follow a hashtag and a source,
For You with its reasons, save and mark read by keyboard, the shortcut help, mute, and the same
pages at a phone's width. Screenshots land in tests/artifacts/ (reader-*.png)."""

from __future__ import annotations

import re

import pytest

from tests.events import EVENTS
from tests.test_browser import ARTIFACTS, CHROMIUM, FLAGS, PASSWORD, site

__all__ = ["site"]  # the fixture, shared with test_browser.py

pytestmark = pytest.mark.slow


def test_follow_for_you_keyboard_save_read_and_mute(site: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(site + "/register")
            page.get_by_label("Username").fill("rhea")
            page.get_by_label("Password (10 characters or more)").fill(PASSWORD)
            page.get_by_role("button", name="Create account").click()
            page.wait_for_url(site + "/")

            # Nothing followed yet: For You says how to begin.
            page.get_by_role("link", name="For You").click()
            expect(page.get_by_text("You follow nothing yet")).to_be_visible()

            # Follow a hashtag from its page (reached from an article), and a source.
            page.goto(site + "/tags/sudan")
            page.get_by_role("button", name="Follow").click()
            expect(page.get_by_role("button", name="Following")).to_have_attribute(
                "aria-pressed", "true"
            )
            page.goto(site + "/sources")
            page.get_by_role("link", name="Wire One").click()
            page.get_by_role("button", name="Follow").click()
            expect(page.get_by_role("button", name="Following")).to_be_visible()

            page.get_by_role("link", name="For You").click()
            items = page.locator("[data-item]")
            expect(items).to_have_count(5)  # Wire One's three, the two Sudan pieces
            expect(page.get_by_text("From Wire One, which you follow").first).to_be_visible()
            expect(page.get_by_text("Tagged #Sudan, which you follow").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "reader-for-you.png"), full_page=True)

            # Keyboard: j selects the first item, s saves it, the page keeps it selected.
            page.keyboard.press("j")
            expect(items.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
            first_title = items.nth(0).locator("a[data-open]").inner_text()
            page.keyboard.press("s")
            page.wait_for_load_state()
            expect(items.nth(0).get_by_role("button", name="Saved")).to_be_visible()
            expect(items.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
            # j then m marks the second read; it greys out and loses its "unread".
            page.keyboard.press("j")
            page.keyboard.press("m")
            page.wait_for_load_state()
            expect(items.nth(1)).to_have_class(re.compile(r"\bread\b"))
            expect(items.nth(1).locator(".new")).to_have_count(0)
            # ? shows the shortcuts; Escape closes them.
            page.keyboard.press("?")
            expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "reader-keys.png"))
            page.keyboard.press("Escape")
            expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_have_count(0)
            # o opens the selected item.
            page.keyboard.press("k")
            page.keyboard.press("o")
            expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
            expect(page.get_by_role("button", name="Mark unread")).to_be_visible()

            page.get_by_role("link", name="Saved").click()
            expect(page.locator("[data-item]")).to_have_count(1)
            expect(page.get_by_role("link", name=first_title)).to_be_visible()

            # Counts on Following fall as the reader reads.
            page.get_by_role("link", name="Following").click()
            expect(page.get_by_text("unread").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "reader-following.png"), full_page=True)

            # Mute a source: gone from the front page for this reader (Latest shows each story
            # at its newest article: Daily Courier's is the ECB story's, then Lagarde's is).
            page.goto(site + "/")
            expect(page.get_by_text("Euro zone borrowers").first).to_be_visible()
            page.goto(site + "/sources")
            page.get_by_role("link", name="Daily Courier").click()
            page.get_by_role("button", name="Mute").click()
            expect(page.get_by_text("You muted this source")).to_be_visible()
            page.goto(site + "/")
            expect(page.get_by_text("Euro zone borrowers")).to_have_count(0)
            expect(page.get_by_text("Lagarde signals caution")).to_be_visible()
            # A word, from Following.
            page.goto(site + "/following")
            page.get_by_label("Mute a word").fill("Lagarde")
            page.get_by_role("button", name="Mute", exact=True).click()
            page.goto(site + "/")
            expect(page.get_by_text("Lagarde signals caution")).to_have_count(0)

            # The digest: the day of Wire One's floods piece, widest-covered story first.
            floods = next(e for e in EVENTS if e["id"] == "a1")
            page.get_by_role("link", name="Digest").click()
            expect(page.get_by_role("heading", name="Your digest")).to_be_visible()
            page.goto(site + "/digest?date=" + floods["published"][:10])
            expect(page.locator(".digest > li").first).to_contain_text("Wire One")
            page.screenshot(path=str(ARTIFACTS / "reader-digest.png"), full_page=True)

            # The same reader on a phone: For You and an article still work, nothing overflows.
            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            phone.add_cookies(page.context.cookies())
            small = phone.new_page()
            small.goto(site + "/foryou")
            expect(small.locator("[data-item]").first).to_be_visible()
            width = small.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"For You is {width}px wide on a 390px phone"
            small.screenshot(path=str(ARTIFACTS / "reader-for-you-phone.png"), full_page=True)
            small.locator("[data-item] a[data-open]").first.click()
            expect(small.get_by_role("button", name=re.compile("Save"))).to_be_visible()
            small.screenshot(path=str(ARTIFACTS / "reader-article-phone.png"), full_page=True)
        finally:
            browser.close()
