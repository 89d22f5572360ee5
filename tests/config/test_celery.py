from django.conf import settings

from config.celery import app


def test_every_beat_job_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_celery_speaks_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_time_limit


def test_a_publish_never_holds_a_request_for_long():
    # A frozen Redis used to hold a write for 20 s after its commit: every
    # wait on the broker is bounded, and a publish is tried once
    # (config.queueing.enqueue leaves failures to the outbox sweeps).
    options = app.conf.broker_transport_options
    assert 0 < options["socket_timeout"] <= 1
    assert 0 < options["socket_connect_timeout"] <= 1
    assert options["max_retries"] == 0
    assert 0 < app.conf.broker_connection_timeout <= 1
    assert app.conf.task_publish_retry is False


def test_beat_sends_the_worker_heartbeat_the_status_report_reads():
    entry = settings.CELERY_BEAT_SCHEDULE["config-worker-heartbeat"]
    assert entry["task"] == "config.health.worker_heartbeat_task"
