"""One log line per request and per task, each carrying its id; JSON lines with LOG_FORMAT=json."""

import json
import logging

import pytest

from aidaily.logging import ContextFilter, JsonFormatter, request_id_var
from events.tasks import publish_due_issues

from ..conftest import celery_worker_env, wait_for


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "aidaily.request"]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_the_id_it_returns(client, caplog):
    caplog.set_level(logging.INFO, logger="aidaily.request")

    response = client.get("/robots.txt")

    [line] = request_lines(caplog)
    assert line.getMessage().startswith("GET /robots.txt 200 ")
    assert line.status == 200
    assert line.request_id == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_request_id_from_the_proxy_is_kept(client, caplog):
    caplog.set_level(logging.INFO, logger="aidaily.request")

    response = client.get("/robots.txt", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")

    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"
    assert request_lines(caplog)[0].request_id == "lb-7f3a9c2e-0001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forged",
    [
        "abc\ninjected INFO fake line",
        "trailing-newline-ok\n",
        '"},{"level":"CRITICAL',
        "x" * 500,
        "<script>1</script>",
    ],
)
def test_a_forged_request_id_is_replaced_by_a_fresh_one(client, caplog, forged):
    caplog.set_level(logging.INFO, logger="aidaily.request")

    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=forged)

    assert response["X-Request-ID"] != forged
    assert response["X-Request-ID"].isalnum()
    assert forged not in caplog.text


@pytest.mark.django_db
def test_capability_tokens_in_urls_stay_out_of_the_log(client, caplog):
    caplog.set_level(logging.INFO, logger="aidaily.request")

    client.get("/unsubscribe/secret-token-abc123/")
    client.get("/preview/reviewer-token-xyz/")

    assert "secret-token-abc123" not in caplog.text
    assert "reviewer-token-xyz" not in caplog.text
    assert "/unsubscribe/[redacted]" in caplog.text
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert refused and all(len(r.request_id) == 32 for r in refused)


@pytest.mark.django_db
def test_json_format_writes_one_parseable_object_per_line(client, caplog):
    caplog.set_level(logging.INFO, logger="aidaily.request")
    client.get("/robots.txt?q=%E4%B8%AD%E6%96%87%22%0A")
    [record] = request_lines(caplog)
    ContextFilter().filter(record)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    payload = json.loads(line)
    assert payload["logger"] == "aidaily.request"
    assert payload["method"] == "GET"
    assert payload["path"] == "/robots.txt"
    assert payload["status"] == 200
    assert payload["request_id"] == record.request_id
    assert payload["duration_ms"] >= 0


@pytest.mark.django_db
def test_each_task_logs_one_line_with_its_task_id(caplog):
    caplog.set_level(logging.INFO, logger="aidaily.task")

    result = publish_due_issues.delay()

    [line] = [r for r in caplog.records if r.name == "aidaily.task"]
    assert line.task_name == "events.tasks.publish_due_issues"
    assert line.state == "SUCCESS"
    assert line.task_id == result.id
    assert result.id in line.getMessage()


@pytest.fixture
def json_worker_logs(monkeypatch):
    """The worker started by `celery_worker` runs with LOG_FORMAT=json (set before it starts)."""
    monkeypatch.setattr(celery_worker_env, "extra", {"LOG_FORMAT": "json"})


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_json_lines_with_the_task_and_request_ids(
    json_worker_logs, celery_worker, tmp_path
):
    log_path = tmp_path / "worker.log"

    token = request_id_var.set("req-from-the-admin-0001")  # queued while serving a request
    try:
        result = publish_due_issues.delay()
    finally:
        request_id_var.reset(token)

    def task_line():
        for raw in log_path.read_text().splitlines():
            if raw.startswith("{") and '"aidaily.task"' in raw:
                return json.loads(raw)
        return None

    line = wait_for(task_line, timeout=30, message="the worker's task log line")
    assert line["task_id"] == result.id
    assert line["state"] == "SUCCESS"
    assert line["task_name"] == "events.tasks.publish_due_issues"
    assert line["request_id"] == "req-from-the-admin-0001"
