"""The card's comment count reads as comments, not as "edit"."""

from __future__ import annotations

import re

from django.urls import reverse

from tasks import services
from tests.tasks.factories import make_task


def test_comment_count_uses_a_speech_bubble_not_a_pencil(client, project, intern):
    task = make_task(project, intern)
    services.comment_create(task=task, by=intern, body="One")
    services.comment_create(task=task, by=intern, body="Two")
    client.force_login(intern)
    html = client.get(reverse("board", args=[project.pk])).content.decode()
    count = re.search(r'<span class="comment-count"[^>]*>(.*?)</span>\s*(\d+)\s*</span>', html)
    assert count is not None
    assert "💬" in count.group(1)
    assert count.group(2) == "2"
    assert "✎" not in html
