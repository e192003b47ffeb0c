"""The formats `export_issue` writes, beyond the daily format's own md and text.

Each app registers the formats it renders from its AppConfig.ready(): events its web page, the
digest its message file, the channels their WeChat article, the editions their PDF. Apps above
events register here, so events names none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    #: issue -> str, or bytes: a message file's (ASCII) or, for a binary format, the file's.
    render: Callable
    #: Bytes written only to a file (-o), never to the terminal.
    binary: bool = False


_formats: dict[str, ExportFormat] = {}


def register(name: str, render: Callable, *, binary: bool = False) -> None:
    """Offer `export_issue --format NAME`; registering a name again replaces its renderer."""
    _formats[name] = ExportFormat(render=render, binary=binary)


def names() -> list[str]:
    return list(_formats)


def get(name: str) -> ExportFormat:
    return _formats[name]
