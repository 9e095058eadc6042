"""The README is a tutorial: its commands are the ones CI runs, and its code runs and prints
what it says it prints."""

import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick, re.S)
    assert len(commands) == 2
    demo, tests = commands
    assert "demos.moons" in demo and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines()


def test_python_examples_run_and_print_what_the_readme_shows(tmp_path):
    from tests.conftest import need_program

    need_program("dot", "DOT")  # the examples draw graphs and write a page
    text = README
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    try:
        for match in re.finditer(r"```python\n(.*?)```(\n\n```text\n(.*?)```)?", text, re.S):
            code, shown = match.group(1), match.group(3)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
            if shown is not None:
                assert out.getvalue().strip() == shown.strip()
            # "print(...)  # what it prints" comments, on the line or the next one, hold too
            lines = [line.strip() for line in code.splitlines()]
            for i, line in enumerate(lines):
                if not line.startswith("print("):
                    continue
                comment = line.split("  # ", 1)[1] if "  # " in line else ""
                if not comment and i + 1 < len(lines) and lines[i + 1].startswith("# "):
                    comment = lines[i + 1][2:]
                if comment:
                    assert comment in out.getvalue(), (comment, out.getvalue())
    finally:
        os.chdir(cwd)
    assert (tmp_path / "out" / "cs231n.svg").exists() and (tmp_path / "out" / "cs231n.html").exists()
