"""The notebooks under demos/ run from top to bottom in a real kernel (nbclient and
ipykernel, from the dev extra), and their outputs hold the numbers they are about."""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import need_program

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "gradstep-test-python"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernelspec for this very Python, found first (JUPYTER_PATH), so the notebooks run
    on the interpreter and packages the tests run on, whatever kernels the machine has."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "gradstep tests", "language": "python"}), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(folder))
    mp.setenv("IPYTHONDIR", str(folder / "ipython"))
    mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    yield KERNEL
    mp.undo()


def run(name: str, kernel: str):
    import nbclient
    import nbformat

    nb = nbformat.read(ROOT / "demos" / name, as_version=4)
    shipped = [c.get("outputs") for c in nb.cells if c.cell_type == "code"]
    assert not any(shipped), "ship notebooks without outputs"
    from jupyter_client.manager import KernelManager

    # ipc sockets, not TCP ports: no port picked at random can be taken by someone else
    sockets = Path(os.environ["JUPYTER_PATH"]) / f"k{name}"
    km = KernelManager(kernel_name=kernel, transport="ipc", ip=str(sockets))
    client = nbclient.NotebookClient(nb, km=km, timeout=300, kernel_name=kernel,
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return nb


def outputs(cell, kind: str = "text/plain") -> str:
    """A cell's printed text and its displayed data of one kind."""
    texts = []
    base = "text/html" if kind == "text/html+text" else kind
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            texts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            data = out.data.get(base, "")
            texts.append(html.unescape(re.sub(r"<[^>]+>", " ", data)) if kind == "text/html+text" else
                         html.unescape(data) if kind == "image/svg+xml" else data)
        elif out.output_type == "error":
            raise AssertionError(f"{out.ename}: {out.evalue}")
    return "".join(texts)


def test_the_walk_through(kernel):
    need_program("dot", "DOT")
    cells = [c for c in run("walk_through.ipynb", kernel).cells if c.cell_type == "code"]
    assert "<td>f</td><td>-12</td>" in outputs(cells[0], "text/html")  # a Value shows its box
    listing = outputs(cells[1], "text/html")
    assert "f = q * z = 3 * (-4) = -12" in listing and "<pre" in listing
    assert outputs(cells[1]).startswith("Forward pass: 2 step(s)")  # IPython's text view: the lines
    assert outputs(cells[2]).split() == ["-4.0", "-4.0", "3.0"]
    assert "grad -4.0000" in outputs(cells[3], "image/svg+xml")
    frame = outputs(cells[4], "text/html")
    assert frame.startswith('<iframe sandbox="allow-scripts" srcdoc=')
    assert "gradcheck passed" in outputs(cells[5], "text/html")
    assert outputs(cells[6]).split() == ["27.0", "18.0"]


def test_the_neuron_lecture(kernel):
    need_program("dot", "DOT")
    cells = [c for c in run("neuron_lecture.ipynb", kernel).cells if c.cell_type == "code"]
    assert "<td>o</td><td>0.707107</td>" in outputs(cells[0], "text/html")
    worksheet = outputs(cells[1], "image/svg+xml")
    assert "<svg" in worksheet and "grad 0.5" not in worksheet and "grad —" not in worksheet
    by_hand = outputs(cells[2])
    numbers = [float(v) for v in re.findall(r"= (-?[\d.]+)", by_hand)]
    assert numbers == [0.5, -1.5, 1.0, 0.5, 0.0]  # n, x1, w1, x2, w2: the lecture's gradients
    listing = outputs(cells[3], "text/html")
    for line in ("n  ∂o/∂n = 1 − o² → 0.5", "x1  ∂(x1*w1)/∂x1 = w1 → -3"):
        assert line in listing, line
    text = outputs(cells[3], "text/html+text")
    leaves = text.split("Gradients ∂o/∂v of the named leaves", 1)[1].split()
    assert leaves[:10] == ["x1", "-1.5", "w1", "1", "x2", "0.5", "w2", "0", "b", "0.5"]
    assert "grad -1.5000" in outputs(cells[4], "image/svg+xml")
    assert 'sandbox="allow-scripts"' in outputs(cells[5], "text/html")
    exercise = outputs(cells[6], "text/html")
    assert 'sandbox="allow-scripts"' in exercise and "grad -1.5000" not in exercise
    graded = outputs(cells[7])
    assert "gradcheck passed" in graded and graded.count("right") == 4 and "WRONG" not in graded
    assert "0.5 " not in graded.split("your answer", 1)[1].replace("0.501", "")  # x2's answer: not shown


def test_training_the_moons_classifier(kernel):
    need_program("dot", "DOT")
    cells = [c for c in run("moons.ipynb", kernel).cells if c.cell_type == "code"]
    assert "337 parameters" in outputs(cells[0], "text/html")
    assert "<td>lr</td><td>1.0</td>" in outputs(cells[1], "text/html")
    log = outputs(cells[2])
    final = re.findall(r"step 100  loss ([\d.]+)  accuracy (\d+)%", log)
    assert final and float(final[0][0]) < 0.05 and int(final[0][1]) == 100
    assert any(out.output_type == "display_data" and "image/png" in out.data for out in cells[3].outputs)
    graph = outputs(cells[4], "image/svg+xml")
    assert graph.count('class="node"') == 35 and "#c0392b" in graph and "#1f5fa8" in graph
    summary = outputs(cells[5], "text/html")
    assert "Forward pass (compact" in summary and "[layer1/neuron1]" in summary and len(summary) < 20_000
