"""A machine without a broker (the newcomer's `make run`) runs tasks in-process, quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_queueing_without_a_broker_prints_no_kombu_warning():
    # seed_demo printed kombu's "No hostname was supplied. Reverting to default
    # 'localhost'": even eager tasks take a producer from the pool, and the
    # broker URL "memory://" named no host. Run as `make run` does: no REDIS_URL.
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "from config.celery import app; "
        "from config.health import worker_heartbeat_task; "
        "assert app.conf.task_always_eager; "
        "worker_heartbeat_task.delay(); "
        "print('queued')"
    )
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "queued" in result.stdout
    assert "No hostname was supplied" not in result.stderr + result.stdout
    assert "WARNING" not in result.stderr
