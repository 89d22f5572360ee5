"""Russian wording that people tripped over (issue 11, item 17)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext


def test_estimate_and_review_score_have_different_names():
    with translation.override("ru"):
        estimate = {gettext("Estimate"), gettext("estimate"), gettext("Story points.")}
        score = {gettext("Score"), gettext("score"), gettext("score %(score)s/5")}
    assert {text.split()[0].lower() for text in estimate} == {"трудоёмкость"}
    assert {text.split()[0].lower() for text in score} == {"балл"}


def test_the_test_request_is_not_called_a_ping_in_russian():
    with translation.override("ru"):
        texts = [
            gettext("Send a test ping"),
            gettext("Test ping delivered: HTTP %(code)s in %(ms)d ms."),
            gettext("Test ping failed: %(error)s"),
        ]
    assert all("проверочный запрос" in text.lower() for text in texts)
    assert not any("ping" in text for text in texts)
