"""The house's size limits, checked over the whole project tree so they stay true: no module
over 400 lines and no function over 50 (shared/STYLE.md). Migrations (written by Django) and
the tests themselves are left out; everything else counts: the apps, aidaily/, benchmarks/,
scripts/ and manage.py."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
#: Folders that hold no code of the project's own (or, for tests, code these limits spare).
SKIPPED = {"migrations", "tests", "node_modules", "__pycache__", "var", "static", "media"}


def project_modules() -> list[Path]:
    """Every Python file of the project outside migrations, tests and installed packages."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        folders = path.relative_to(ROOT).parts[:-1]
        if any(part in SKIPPED or part.startswith(".") for part in folders):
            continue
        found.append(path)
    return found


def test_the_size_check_sees_the_apps_the_wiring_and_the_benchmarks():
    seen = {path.relative_to(ROOT).as_posix() for path in project_modules()}

    for expected in ("manage.py", "aidaily/settings.py", "benchmarks/snapshots.py"):
        assert expected in seen
    assert "sources/pipeline/claiming.py" in seen  # inside a package too
    assert not any("/migrations/" in name or name.startswith("tests/") for name in seen)


def test_no_module_is_longer_than_400_lines():
    too_long = []
    for path in project_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")

    assert too_long == [], "split these modules:\n" + "\n".join(too_long)


def long_functions(path: Path, *, root: Path = ROOT) -> list[str]:
    """Functions and methods over the limit, counted from `def` to their last line (their
    decorators are not counted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}: {lines} lines")
    return found


def test_no_function_is_longer_than_50_lines():
    too_long = [entry for path in project_modules() for entry in long_functions(path)]

    assert too_long == [], "shorten these functions:\n" + "\n".join(too_long)


def test_the_function_check_counts_from_def_to_the_last_line_without_decorators(tmp_path):
    body = "\n".join(f"    x = {n}" for n in range(48))
    module = tmp_path / "sample.py"
    module.write_text(
        "@decorated\n@twice\ndef fifty_lines():\n" + body + "\n    return x\n\n"
        "def fifty_one_lines():\n" + body + "\n    x += 1\n    return x\n"
    )

    assert long_functions(module, root=tmp_path) == ["sample.py:54 fifty_one_lines: 51 lines"]
