"""Logging: one line per request and per Celery task, each with its id; JSON with LOG_FORMAT=json.

The LOGGING dict in settings names the filter and formatters below, so this module is imported
wherever Django configures logging (web and worker) and the task signals are connected there.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from celery import signals

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
task_id_var: ContextVar[str] = ContextVar("task_id", default="-")

request_logger = logging.getLogger("aidaily.request")
task_logger = logging.getLogger("aidaily.task")

# A client may pass its own id (a proxy's X-Request-ID); anything else is replaced, so a forged
# header cannot inject newlines or fake fields into the log.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Capability tokens in URLs (unsubscribe, confirm, reviewer preview) must not end up in logs.
SECRET_PATH = re.compile(r"^(?P<prefix>/(?:unsubscribe|subscribe/confirm|preview)/)[^/]+")
# Fields copied from `extra=` into the JSON object.
EXTRA_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "task_name",
    "state",
)


def redact_path(path: str) -> str:
    """The request path with capability tokens replaced, fit for a log line."""
    return SECRET_PATH.sub(r"\g<prefix>[redacted]", path)


class ContextFilter(logging.Filter):
    """Stamps every record with its request id and task id ("-" outside of one), redacting tokens.

    Django logs 4xx/5xx responses (django.request) after the middleware has returned, with the
    request attached and the raw path as an argument: take the id from it and redact the path.
    """

    def filter(self, record):
        request = getattr(record, "request", None)
        record.request_id = (
            getattr(record, "request_id", None)
            or getattr(request, "request_id", None)
            or request_id_var.get()
        )
        record.task_id = getattr(record, "task_id", None) or task_id_var.get()
        if record.name.startswith("django.") and isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids and the request/task fields."""

    def format(self, record):
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
            "task_id": getattr(record, "task_id", task_id_var.get()),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                payload[field] = getattr(record, field)
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Gives each request an id (X-Request-ID, echoed back) and logs one line when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if VALID_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            # Only a user the view already loaded: looking it up here would add queries.
            user = getattr(request, "_cached_user", None)
            path = redact_path(request.path)
            request_logger.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": getattr(user, "pk", None),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# task id -> (start time, context tokens); prerun and postrun run in the same thread.
_running: dict[str, tuple[float, tuple]] = {}


@signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    """Tasks queued while serving a request remember its id, so the two log lines can be joined."""
    if headers is not None and request_id_var.get() != "-":
        headers.setdefault("request_id", request_id_var.get())


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) or request_id_var.get()
    tokens = (task_id_var.set(task_id or "-"), request_id_var.set(request_id))
    _running[task_id] = (time.perf_counter(), tokens)


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started, tokens = _running.pop(task_id, (None, None))
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    task_logger.info(
        "%s[%s] %s %sms",
        task.name,
        task_id,
        state,
        duration_ms,
        extra={"task_name": task.name, "state": state, "duration_ms": duration_ms},
    )
    if tokens:
        # Back to the caller's ids: an in-process task must not erase the request's id.
        task_id_var.reset(tokens[0])
        request_id_var.reset(tokens[1])


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _keep_our_format_in_the_worker(logger=None, **kwargs):
    """Celery replaces the root handlers in a worker: give them our filter (and JSON) back."""
    from django.conf import settings

    json_wanted = getattr(settings, "LOG_FORMAT", "plain") == "json"
    for handler in logger.handlers:
        handler.addFilter(ContextFilter())
        if json_wanted:
            handler.setFormatter(JsonFormatter())
