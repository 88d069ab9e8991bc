"""Project-level rules: CI runs the README's test command, and the layers stay clean."""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
QT_MODULES = {"PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "superqt", "qtpy"}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_command():
    commands = readme_commands()
    assert len(commands) >= 2
    launch, test = commands[0], commands[1]
    assert "sepconv-gui" in launch and "pytest" in test
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines


def imported_roots(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_and_io_never_import_qt():
    checked = 0
    for layer in ("engine", "io"):
        for path in (ROOT / "sepconv_gui" / layer).rglob("*.py"):
            assert not imported_roots(path) & QT_MODULES, f"{path} imports Qt"
            checked += 1
    assert checked >= 5


def test_code_is_ruff_clean():
    """Lint and formatting are part of the suite, so CI enforces them (pyproject sets the rules)."""
    import subprocess
    import sys

    for args in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, f"ruff {' '.join(args)}:\n{done.stdout}{done.stderr}"


def test_every_package_is_listed_for_the_wheel():
    """pyproject lists packages by hand (it maps the data-only one); a new one must be added."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "sepconv_gui").rglob("__init__.py")
    }
    missing = sorted(on_disk - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    assert listed - on_disk == {"sepconv_gui.resources"}


def test_ci_installs_the_system_libraries_the_readme_lists():
    """A bare machine needs what README "Installing" names; CI starts from one, so it installs
    the same list (plus the validators and Xvfb)."""
    (line,) = [c for c in readme_commands() if "apt-get install" in c]
    readme = set(line.split("apt-get install", 1)[1].split()) - {"python3-venv"}
    script = (ROOT / ".ci" / "run").read_text()
    listed = set(re.search(r"packages=\((.*?)\)", script, re.S)[1].split())
    assert readme - listed == set()
    assert {"xvfb", "desktop-file-utils", "appstream"} <= listed
