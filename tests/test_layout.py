"""Graphviz's layout is bounded: no CLI input of at most 500 characters hangs or uses more
than 500 MB; a tangled graph is laid out the quick way, a hopeless one is refused before
dot runs, and dot is stopped after a timeout with a clear error."""

import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from autograd import Value, draw_dot, render, save_html
from autograd import html as page
from autograd.cli import MAX_LENGTH
from tests.conftest import cs231n, need_program

# The hang cases and the worst shapes found for the layout's work (see
# graph.layout_work): one value used by many nodes far apart.
HANGS = {
    "x*x*…*x, 250 factors": "*".join(["x"] * 250),
    "x*y*x*y*…": "*".join(["x", "y"] * 125),
    "166 minus signs, then *x 166 times": "-" * 166 + "x" + "*x" * 166,
    "x/x/…/x": "/".join(["x"] * 250),
    "x+1+x+1+…": "+".join(["x", "1"] * 125),
}
MEASURE = textwrap.dedent("""
    import resource, subprocess, sys, time
    t0 = time.perf_counter()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the CLI, or dot under it
    print(done.returncode, time.perf_counter() - t0, peak * 1024, repr(done.stderr[-300:]))
""")


@pytest.mark.parametrize("expression", list(HANGS.values()), ids=list(HANGS))
def test_the_cli_hang_cases_finish_quickly_and_in_little_memory(tmp_path, expression):
    """A timeout is a failure. Measured on a shared 2-core machine: at most 3 s (4.8 s under
    a load of 3) and 280 MB for --svg, --html and --check together; the timeout leaves
    room for a slower machine, and these inputs used to run for many minutes."""
    need_program("dot", "DOT")
    assert len(expression) <= MAX_LENGTH
    command = [sys.executable, "-m", "autograd", expression, "x=1.0001", "y=0.9999", "--svg",
               str(tmp_path / "g.svg"), "--html", str(tmp_path / "p.html"), "--check"]
    run = subprocess.Popen([sys.executable, "-c", MEASURE, *command], stdout=subprocess.PIPE, text=True,
                           cwd=tmp_path, start_new_session=True)
    try:
        out = run.communicate(timeout=30)[0].split(maxsplit=3)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)  # the CLI and its dot too
        run.communicate()
        pytest.fail(f"still running after 30 s: {expression[:40]}…")
    status, seconds, peak, stderr = int(out[0]), float(out[1]), int(out[2]), out[3]
    assert status == 0, stderr
    assert peak < 500 * 2**20, f"{peak / 2**20:.0f} MB"
    assert (tmp_path / "g.svg").stat().st_size > 0 and (tmp_path / "p.html").stat().st_size > 0
    print(f"{seconds:.2f} s, {peak / 2**20:.0f} MB")


def chain(n):
    x = Value(1.0001, "x")
    y = x
    for _ in range(n - 1):
        y = y * x
    return y


def test_a_tangled_graph_skips_the_slow_layout_steps_and_a_plain_one_does_not():
    assert "nslimit" not in draw_dot(cs231n()[0]).source
    assert "nslimit" not in draw_dot(chain(20)).source
    source = draw_dot(chain(60)).source
    assert "nslimit=0" in source and "splines=line" in source


def test_a_hopelessly_tangled_graph_is_refused_before_dot_runs(monkeypatch):
    for name in ("run", "Popen"):
        monkeypatch.setattr(subprocess, name, lambda *a, **k: pytest.fail("dot must not run"))
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"draw_dot: the graph is too tangled to lay out: its arrows cross"):
        render(chain(999), "never.svg")
    assert time.perf_counter() - t0 < 2
    assert not os.path.exists("never.svg")


def test_dot_is_stopped_after_the_timeout_with_a_clear_error(tmp_path, monkeypatch):
    slow = tmp_path / "bin" / "dot"
    slow.parent.mkdir()
    slow.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 60\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(slow.parent))
    f, _ = cs231n()
    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match=r"render: Graphviz's dot did not finish laying out .* in 1 s"):
        render(f, tmp_path / "g.svg", timeout=1)
    with pytest.raises(RuntimeError, match=r"save_html: Graphviz's dot did not finish .* in 1 s"):
        save_html(f, tmp_path / "p.html", timeout=1)
    assert time.perf_counter() - t0 < 10
    assert sorted(os.listdir(tmp_path)) == ["bin"]


def test_a_failing_dot_gives_its_own_message_not_a_traceback(tmp_path, monkeypatch):
    broken = tmp_path / "bin" / "dot"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(broken.parent))
    with pytest.raises(RuntimeError, match="render: Graphviz's dot failed: Error: something broke"):
        render(cs231n()[0], tmp_path / "g.svg")


def test_save_html_refuses_an_oversized_graph_before_explaining_it(tmp_path, monkeypatch):
    x = Value(1.0, "x")
    y = x
    for _ in range(300_000):
        y = y + 1.0
    monkeypatch.setattr(page, "explain", lambda root: pytest.fail("the explainer must not run"))
    monkeypatch.setattr(page, "toposort", lambda root: pytest.fail("the graph must not be sorted"))
    gc_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=f"more than {page.MAX_NODES} nodes"):
        save_html(y, tmp_path / "p.html")
    assert time.perf_counter() - t0 < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - gc_peak < 50 * 1024  # KiB: < 50 MB more
    assert not (tmp_path / "p.html").exists()
