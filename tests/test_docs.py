"""The docs say what the code does: the README's engine example runs, and the version has one
home that the packaging metadata, Help > About, CHANGELOG.md and the AppStream file follow."""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import sepconv_gui

ROOT = Path(__file__).resolve().parents[1]


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def test_readme_engine_example_runs_as_printed():
    (code,) = re.findall(r"```python\n(.+?)```", readme_section("The engine"), re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    words = printed.getvalue().split()
    assert words, "the example prints nothing"
    # It prints what ran (a depthwise pass "+" the pointwise step), the per-stage timings and
    # the multiplication ratio against the normal bank.
    assert "+" in words[0]
    assert 0 < float(words[-1]) < 1  # depthwise-separable needs fewer multiplications


def test_version_is_written_once_and_followed_everywhere():
    version = sepconv_gui.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "sepconv_gui.__version__"}
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (\S+)", changelog, re.M)[0] == version
    metainfo = next((ROOT / "resources" / "desktop").glob("*.metainfo.xml"))
    assert ET.parse(metainfo).getroot().find("releases/release").get("version") == version


def test_about_shows_the_version():
    from sepconv_gui.ui.shell.about import about_html

    assert f"sepconv-gui {sepconv_gui.__version__}</h3>" in about_html()
