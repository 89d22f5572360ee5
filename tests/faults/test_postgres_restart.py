"""Fault: PostgreSQL restarts under a running web worker (issue 7, item 12).

A fast restart ends every session with "terminating connection due to
administrator command". A worker keeping its connection (``CONN_MAX_AGE``)
used to find out on the next request's first query and answer 500 once;
with ``CONN_HEALTH_CHECKS`` it checks a reused connection at the start of
each request and reconnects. The app runs as in production: gunicorn, one
sync worker (one connection to reuse), ``config.settings``, against a
throwaway cluster (never the shared server).
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import production_env, run_manage_script, serve

SETUP = """
from django.core.management import call_command
from accounts.models import User
from accounts.services import api_token_create

call_command("migrate", verbosity=0, interactive=False)
user = User.objects.create_user(username="probe", password="unused-" + "p" * 20)
_token, plain = api_token_create(user=user, name="fault suite", expires_in_days=None)
print(plain)
"""


@pytest.fixture(scope="module")
def migrated_cluster(postgres_cluster):
    env = production_env(DATABASE_URL=postgres_cluster.url, DB_CONN_MAX_AGE="600")
    token = run_manage_script(SETUP, env).strip().splitlines()[-1]
    return env, token


def test_a_database_restart_costs_no_request_a_500(postgres_cluster, migrated_cluster):
    env, token = migrated_cluster
    with serve(env) as web:
        response = web.request("GET", "/api/v1/me/", token=token)
        assert response.status == 200, response.body  # the worker now holds a connection

        postgres_cluster.restart()

        for attempt in range(3):
            response = web.request("GET", "/api/v1/me/", token=token)
            assert response.status == 200, (
                f"request {attempt + 1} after the restart: {response.status} {response.body!r}"
            )
        assert b"terminating connection" not in web.log.read_bytes(), web.log_tail()
