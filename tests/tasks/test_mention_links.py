"""@mentions render as links on the task page and dialog, for the task's team only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tasks.services import comment_create
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db


def test_a_team_members_mention_is_a_link_and_an_outsiders_stays_text(
    client, project, mentor, intern, outsider
):
    task = make_task(project, mentor, description=f"Ask @{intern.username} first.")
    comment_create(task=task, by=mentor, body=f"@{intern.username} and @{outsider.username}: look")
    client.force_login(mentor)

    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        html = client.get(reverse("task_detail", args=[task.pk]), **headers).content.decode()
        link = f"{reverse('task_list')}?project={project.pk}&amp;assignee={intern.pk}"
        assert (
            html.count(f'class="mention" href="{link}"')
            + html.count(f'href="{link}" class="mention"')
            == 2
        ), html
        assert f"@{outsider.username}" in html
        assert f"assignee={outsider.pk}" not in html


def test_text_without_a_mention_costs_no_members_query(django_assert_num_queries, project):
    from tasks.templatetags.tasks_extras import markdown_filter

    with django_assert_num_queries(0):
        markdown_filter("plain *text*", project)  # no "@": the task is never consulted
