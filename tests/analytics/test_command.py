"""`recompute_analytics [--team ID] [--since DATE]`: a progress bar, the same rows every time."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from analytics.models import TaskMetrics
from tests.analytics.conftest import at
from tests.analytics.test_incremental import snapshot

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recompute_analytics", *args, stdout=out)
    return out.getvalue()


def test_recompute_shows_progress_and_is_idempotent(history, team):
    task = history.create(at("2026-03-02", "10:00"), estimate=3)
    history.move(task, "Done", at("2026-03-03", "10:00"))
    output = run()
    assert "[##############################] 2/2" in output  # one project, one intern batch
    assert "Recomputed 1 tasks of 1 projects and 1 interns" in output
    first = snapshot()
    run("--team", str(team.pk))
    run("--since", "2026-03-03")
    assert snapshot() == first
    assert TaskMetrics.objects.get(task=task).completed_on.isoformat() == "2026-03-03"


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--team", "999999"), "No team"), (("--since", "3 March"), "YYYY-MM-DD")],
)
def test_recompute_refuses_bad_arguments(args, message, db):
    with pytest.raises(CommandError, match=message):
        run(*args)
