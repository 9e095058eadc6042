"""The command line: explanations, options, and refusal of anything but arithmetic."""

import subprocess
import sys

import pytest

from autograd.cli import main
from tests.conftest import need_program


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "autograd", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_cs231n_from_the_command_line():
    result = run("(x + y) * z", "x=-2", "y=5", "z=-4")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "with x = -2, y = 5, z = -4" in out
    assert "1. n2 = x + y = (-2) + 5 = 3" in out
    assert "2. f = n2 * z = 3 * (-4) = -12" in out
    assert "upstream ∂f/∂n2 = -4" in out
    assert "∂f/∂x = -4\n  ∂f/∂y = -4\n  ∂f/∂z = 3" in out


def test_functions_constant_powers_and_check(capsys):
    assert main(["sigmoid(w*x + b) ** 2", "w=0.5", "x=2", "b=-0.5", "--check"]) == 0
    out = capsys.readouterr().out
    assert "4. f = n5**2 = 0.622459**2 = 0.387456" in out
    assert "gradcheck passed" in out and "∂f/∂w" in out and "∂f/∂b" in out


def test_check_fails_with_status_1_at_a_kink(capsys):
    assert main(["relu(x)", "x=0", "--check"]) == 1
    assert "kink" in capsys.readouterr().out


def test_compact_option(capsys):
    assert main(["tanh(x) * x + exp(x)", "x=0.3", "--compact"]) == 0
    assert "Forward pass (compact" in capsys.readouterr().out


def test_svg_and_html_options(tmp_path, capsys):
    need_program("dot", "DOT")
    svg, page = tmp_path / "g.svg", tmp_path / "p.html"
    assert main(["x * y", "x=2", "y=3", "--svg", str(svg), "--html", str(page)]) == 0
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in page.read_text()


@pytest.mark.parametrize(
    "expression, message",
    [
        ("__import__('os').system('touch X')", "calling (__import__('os').system)"),
        ("().__class__", "attribute access"),
        ("x.__dict__", "attribute access"),
        ("(lambda: 1)()", "calling (lambda: 1)"),
        ("x = 3", "not a valid expression"),
        ("(y := 2)", "assignment"),
        ("[x][0]", "subscripts"),
        ("open('X', 'w')", "calling open"),
        ("exp(x, x)", "exactly one argument"),
        ("exp(x=1)", "exactly one argument"),
        ("x < 1", "comparisons"),
        ("'a' * 3", "constant 'a'"),
        ("x ^ 2", "^ is not a power here: write x**2"),
        ("not x", "the operator in 'not x'"),
        ("x y", "is an operator missing"),
        ("sqrt(x)", "write x**0.5"),
        ("x" + " + x" * 200, "limit is 500"),
        ("x\n+ 1", "one line"),
        ("__builtins__", "name __builtins__"),
        ("x\udcff", "not text (a lone surrogate)"),
        ("1" * 400 + " * x", "the number 11111111111111111111… is too large for a float"),
    ],
)
def test_anything_but_arithmetic_is_refused_with_status_2(tmp_path, expression, message):
    result = run(expression, "x=1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "X").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["x * w", "x=1"], "the variable w has no value"),
        (["x * 2", "x"], "not of the form name=value"),
        (["x * 2", "x=abc"], "is not a number"),
        (["x * 2", "x=1", "x=2"], "given twice"),
        (["x * 2", "x=inf"], "finite"),
        (["log(x)", "x=-1"], "log: input must be > 0"),
        (["x / y", "x=1", "y=0"], "division by zero"),
        (["exp", "exp=1"], "cannot be a variable name"),
    ],
)
def test_bad_values_are_clear_errors_with_status_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_console_script_is_declared():
    from pathlib import Path

    import tomllib

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["gradstep"] == "autograd.cli:main"


def test_an_expression_may_start_with_a_minus_sign(capsys):
    assert main(["-x * y", "x=1", "y=2", "--compact"]) == 0
    out = capsys.readouterr().out
    assert "f = -x * y" in out and "∂f/∂x = -2" in out and "∂f/∂y = -1" in out


def test_the_output_is_named_after_no_variable(capsys):
    assert main(["f * out", "f=2", "out=3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("result = f * out") and "∂result/∂f = 3" in out


def test_files_that_cannot_be_written_are_one_line_errors_with_status_1(tmp_path, capsys):
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["x * y", "x=1", "y=2", "--svg", str(blocked / "g.svg")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and f"cannot write {blocked / 'g.svg'}" in err and "\n" not in err


def test_without_graphviz_svg_and_html_fail_with_status_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["x * y", "x=1", "y=2", "--svg", str(tmp_path / "g.svg")]) == 1
    assert "Graphviz" in capsys.readouterr().err and (tmp_path / "g.dot").exists()
    assert main(["x * y", "x=1", "y=2", "--html", str(tmp_path / "p.html")]) == 1
    assert "Graphviz" in capsys.readouterr().err and not (tmp_path / "p.html").exists()
