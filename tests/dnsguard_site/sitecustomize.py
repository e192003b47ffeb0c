"""Loaded by Python at start-up in subprocesses the suite runs with tests.dnsguard.subprocess_env:
the DNS guard for the whole process, failing it at exit if any outside name was looked up."""

import atexit
import importlib.util
from pathlib import Path

# By path: the child's sys.path need not hold the project, and importing `tests` would put it there.
_spec = importlib.util.spec_from_file_location(
    "aidaily_dnsguard", Path(__file__).resolve().parent.parent / "dnsguard.py"
)
_dnsguard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_dnsguard)

_guard = _dnsguard.Guard()
_guard.install_in_process()
atexit.register(_dnsguard.exit_on_lookups, _guard)
