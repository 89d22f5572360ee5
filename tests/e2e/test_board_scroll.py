"""Long columns on a desktop (issue 11, item 2): the next page loads into the column as
its end scrolls into view, inside the column's own scroller, without leaving the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tasks import selectors
from tests.e2e.test_board import log_in, open_board
from tests.tasks.factories import column, make_task

pytestmark = pytest.mark.django_db(transaction=True)

CARDS = selectors.CARDS_PER_PAGE + 15


def test_a_long_column_loads_its_next_page_when_scrolled_to_its_end(
    page, live_server, project, intern
):
    for number in range(CARDS):
        make_task(project, intern, title=f"Card {number:03d}")
    todo = column(project, "To do")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    board_url = page.url
    cards = page.locator(f"#column-{todo.pk} .card-list .task-card")
    expect(cards).to_have_count(selectors.CARDS_PER_PAGE)
    # The column scrolls inside itself (the page does not grow by 50 cards).
    card_list = page.locator(f"#column-{todo.pk} .card-list")
    assert card_list.evaluate("list => list.scrollHeight > list.clientHeight + 500")
    list_box = card_list.bounding_box()

    with page.expect_response(lambda response: "/more/" in response.url) as more:
        # Scroll the column's own scroller as a wheel or trackpad would.
        page.mouse.move(list_box["x"] + list_box["width"] / 2, list_box["y"] + 100)
        for _ in range(40):
            page.mouse.wheel(0, 600)
            page.wait_for_timeout(30)
    assert more.value.status == 200
    expect(cards).to_have_count(CARDS)
    expect(page.locator(f"#column-{todo.pk} .card-list")).to_contain_text(f"Card {CARDS - 1:03d}")
    assert page.url == board_url  # no "Show more" page: still the board
    # Each card once, in rank order.
    titles = page.locator(f"#column-{todo.pk} .task-card .task-title a").all_inner_texts()
    assert titles == [f"Card {number:03d}" for number in range(CARDS)]
    expect(page.locator(f"#column-{todo.pk} .load-more")).to_have_count(0)
