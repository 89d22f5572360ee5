"""The board's layout in a real browser: a phone never scrolls the page sideways,
and the five default columns fit a 1440 px desktop window."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.e2e.test_board import PASSWORD, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    page.goto("about:blank")
    page.wait_for_timeout(100)
    context.close()


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_phone_board_stays_inside_the_screen_and_the_dialog_opens_and_closes(
    phone, live_server, project, intern
):
    task = make_task(project, intern, title="A long title " * 6, assignee=intern)
    for number in range(4):
        make_task(project, intern, title=f"Card {number}", column_name="In progress")

    _log_in(phone, live_server, "intern")
    open_board(phone, live_server, project)
    assert _page_width(phone) <= 390
    # The board scrolls sideways inside its own container, column by column.
    board = phone.locator("#board")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth")
    assert board.evaluate("el => getComputedStyle(el).scrollSnapType").startswith("x")

    phone.locator(f"#task-{task.pk} .task-title a").tap()
    dialog = phone.locator("#task-dialog[open]")
    dialog.locator(".task-body, h1, h2").first.wait_for()
    box = dialog.bounding_box()
    # Full-screen on a narrow screen: nothing off the left or right edge.
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["width"] >= 380
    close = dialog.locator("[data-close-dialog]")
    close_box = close.bounding_box()
    assert close_box["x"] >= 0
    assert close_box["x"] + close_box["width"] <= 390
    assert 0 <= close_box["y"] < 844
    close.tap()
    phone.wait_for_selector("#task-dialog[open]", state="detached")
    assert _page_width(phone) <= 390


@pytest.fixture
def desktop(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    page.goto("about:blank")
    page.wait_for_timeout(100)
    context.close()


def test_five_default_columns_fit_at_1440_px(desktop, live_server, project, intern):
    make_task(project, intern, title="A card with a rather long title to wrap", assignee=intern)
    _log_in(desktop, live_server, "intern")
    open_board(desktop, live_server, project)
    columns = desktop.locator("#board > .board-column")
    assert columns.count() == 5
    width = desktop.evaluate("document.documentElement.clientWidth")
    for index in range(5):
        box = columns.nth(index).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width, f"column {index + 1} ends past {width} px"


def test_cards_are_tight_with_a_menu_a_quiet_overdue_date_and_distinct_avatars(
    desktop, live_server, project, intern, mentor
):
    from accounts.models import User

    # Two people with the same initials ("AS") must still be told apart.
    intern.full_name = "Anna Smirnova"
    intern.save()
    mentor.full_name = "Alexei Sokolov"
    mentor.save()
    assert intern.pk % 8 != mentor.pk % 8
    late = timezone.localdate() - datetime.timedelta(days=3)
    mine = make_task(project, intern, title="Short card", assignee=intern)
    theirs = make_task(project, intern, title="Late card", assignee=mentor, due_on=late)

    _log_in(desktop, live_server, "intern")
    open_board(desktop, live_server, project)
    card = desktop.locator(f"#task-{mine.pk}")

    # "Move to…" is the small menu at the end of the meta line, not a line of its own.
    menu = card.locator(".task-meta > a.move-to")
    assert menu.get_attribute("aria-label") == "Move to…"
    assert menu.get_attribute("href").endswith(f"/tasks/{mine.pk}/#move-to")  # the no-JS path
    assert menu.bounding_box()["y"] < card.locator(".task-key").bounding_box()["y"] + 10
    assert card.bounding_box()["height"] <= 60  # two lines: title, then key/priority/menu

    # Overdue: coloured text with "Overdue" as its title, no red badge behind it.
    due = desktop.locator(f"#task-{theirs.pk} .due-overdue")
    assert due.get_attribute("title") == "Overdue"
    assert due.evaluate("el => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"

    # Avatars: a colour per user and the full name on hover and for screen readers.
    mine_avatar = card.locator(".avatar")
    theirs_avatar = desktop.locator(f"#task-{theirs.pk} .avatar")
    assert mine_avatar.inner_text() == theirs_avatar.inner_text()
    for avatar, user in ((mine_avatar, intern), (theirs_avatar, mentor)):
        name = User.objects.get(pk=user.pk).display_name
        assert avatar.get_attribute("title") == name
        assert avatar.get_attribute("aria-label") == name
    colour = "el => getComputedStyle(el).backgroundColor"
    assert mine_avatar.evaluate(colour) != theirs_avatar.evaluate(colour)

    # The menu works from the keyboard: it opens the board's move dialog.
    menu.focus()
    desktop.keyboard.press("Enter")
    desktop.locator("#move-dialog[open] select[name=column]").wait_for()
