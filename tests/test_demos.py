"""Smoke tests for the demos: each runs as a subprocess, exits 0, prints its key numbers and
writes its pictures (PNGs need matplotlib; SVG and HTML need Graphviz's `dot`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need_program

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def run(args: list[str], out: Path) -> str:
    """Run a demo (module name or file path) with --out, check it succeeded, return its output."""
    command = [sys.executable, *(["-m", args[0]] if not args[0].endswith(".py") else [args[0]]),
               "--out", str(out), *args[1:]]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                            timeout=TIMEOUT, env=env)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def number(pattern: str, text: str) -> float:
    """The number captured by pattern's first group in text."""
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{pattern!r} not found in the output:\n{text}"
    return float(match.group(1))


def assert_png(path: Path) -> None:
    assert path.is_file(), f"{path} was not written"
    assert path.read_bytes().startswith(b"\x89PNG"), f"{path} is not a PNG"


def assert_svg(path: Path) -> None:
    assert path.is_file(), f"{path} was not written"
    assert "<svg" in path.read_text(encoding="utf-8"), f"{path} holds no <svg>"


def test_moons(tmp_path: Path) -> None:
    out = run(["demos.moons", "--steps", "10"], tmp_path)
    assert "10 steps in" in out and "training accuracy" in out
    assert_png(tmp_path / "moons_boundary.png")
    assert_png(tmp_path / "moons_loss.png")
    need_program("dot", "DOT")
    assert_svg(tmp_path / "moons_graph.svg")


def test_moons_batched_trains_to_the_same_numbers(tmp_path: Path) -> None:
    one = run(["demos.moons", "--steps", "20"], tmp_path / "one")
    batched = run(["demos.moons", "--steps", "20", "--batched"], tmp_path / "batched")
    final = r"final loss ([\d.]+), training accuracy (\d+)%"
    assert re.search(final, one).groups() == re.search(final, batched).groups()
    assert "one batched graph per step" in batched
    assert_png(tmp_path / "batched" / "moons_boundary.png")


def test_moons_replay_writes_a_gif_and_a_page(tmp_path: Path) -> None:
    out = run(["demos.moons", "--steps", "6", "--batched", "--replay", "--every", "2"], tmp_path)
    assert "replay: 4 snapshots; accuracy at steps 0: 50%" in out  # steps 0, 2, 4 and the last, 5
    gif = (tmp_path / "moons_replay.gif").read_bytes()
    assert gif.startswith(b"GIF89a") and gif.count(b"\x21\xf9\x04") >= 4  # a graphic control block per frame
    page = (tmp_path / "moons_replay.html").read_text(encoding="utf-8")
    assert 'id="slider"' in page and "<script src" not in page
    assert_png(tmp_path / "moons_boundary.png")  # the usual pictures too


def test_nielsen_prints_bp1_to_bp4_beside_the_engine(tmp_path: Path) -> None:
    out = run(["demos.nielsen"], tmp_path)
    assert number(r"max \|hand − engine\| over BP1–BP4 = (\S+): equal to 1e-12", out) <= 1e-12
    for heading in ("BP1, the output layer L = 3", "BP2, δ layer by layer", "BP3: ∂C/∂bˡⱼ = δˡⱼ",
                    "BP4: ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ"):
        assert heading in out
    # δ layer by layer, output first: layer 3 (BP1), then 2, then 1 (BP2)
    assert out.index("δ³₁ ") < out.index("layer 2, from δ³") < out.index("layer 1, from δ²")
    # the product and the engine's ∂C/∂z agree to the 12 decimals printed, row by row
    rows = re.findall(r"^ +δ\S+ +\S+ +\S+ +(\S+) +(\S+) +\S+", out, re.MULTILINE)
    assert len(rows) == 2 + 3 + 4 and all(a == b for a, b in rows)
    assert "[layer1/neuron2] ∂C/∂a¹₂ = " in out and ", δ¹₂ = ∂C/∂z¹₂ = " in out  # explain, by name
    assert_png(tmp_path / "nielsen_network.png")
    need_program("dot", "DOT")
    svg = (tmp_path / "nielsen_graph.svg").read_text(encoding="utf-8")
    assert "δ¹₄\u00a0= ∂C/∂z¹₄" in svg and "∂C/∂a³₂" in svg


def test_single_neuron_hand_update_matches_engine(tmp_path: Path) -> None:
    out = run(["demos.single_neuron"], tmp_path)
    hand = re.search(r"hand-derived .*: \[(.*)\]", out).group(1)
    engine = re.search(r"engine .*: \[(.*)\]", out).group(1)
    assert hand == engine  # printed to 12 decimals
    assert number(r"max \|hand − engine\| = (\S+)", out) < 1e-12
    assert number(r"training accuracy (\d+)%", out) == 100
    assert_png(tmp_path / "single_neuron.png")


def test_worked_example_matches_mazur(tmp_path: Path) -> None:
    out = run(["demos.worked_example"], tmp_path)
    # the key-numbers table: name, the engine's value, Mazur's value
    assert number(r"^\s+E_total\s+([\d.]+)\s+0.298371109$", out) == pytest.approx(0.298371109, abs=1e-9)
    assert number(r"^\s+∂E/∂w5\s+([\d.]+)\s+0.082167041$", out) == pytest.approx(0.082167041, abs=1e-9)
    assert number(r"updated w5 = (\S+),", out) == pytest.approx(0.35891648, abs=1e-8)
    assert number(r"updated w1 = (\S+)", out) == pytest.approx(0.149780716, abs=1e-9)
    assert "biases stay put" in out
    need_program("dot", "DOT")
    page = (tmp_path / "worked_example.html").read_text(encoding="utf-8")
    assert "<svg" in page and "E_total" in page


def test_softmax_spiral_learns(tmp_path: Path) -> None:
    out = run(["demos.softmax_spiral"], tmp_path)
    assert number(r"final training accuracy ([\d.]+)%", out) >= 90
    # the printed gradient of the loss with respect to the logits is p − onehot(y)
    rows = re.findall(r"^\s+\d\s+\S+\s+\S+\s+(\S+)\s+(\S+)$", out, re.MULTILINE)
    assert len(rows) == 3 and all(a == b for a, b in rows)
    assert_png(tmp_path / "softmax_spiral.png")
    assert_png(tmp_path / "softmax_spiral_loss.png")


def test_softmax_spiral_batched_learns_the_same(tmp_path: Path) -> None:
    one = run(["demos.softmax_spiral", "--epochs", "20"], tmp_path / "one")
    batched = run(["demos.softmax_spiral", "--epochs", "20", "--batched"], tmp_path / "batched")
    arms = r"middle of arm \d: p = \((.*)\)"
    assert re.findall(arms, one) == re.findall(arms, batched) and len(re.findall(arms, one)) == 3


def test_perceptron(tmp_path: Path) -> None:
    out = run(["demos.perceptron"], tmp_path)
    assert out.count("go to the festival") == 4 and out.count("stay home") == 4
    assert "∂y/∂w1 = 0, ∂y/∂w2 = 0, ∂y/∂b = 0" in out
    assert "(unchanged)" in out
    assert "the rounded outputs are the NAND table" in out
    assert_png(tmp_path / "perceptron.png")


def test_regression_agrees_with_least_squares(tmp_path: Path) -> None:
    out = run(["demos.regression"], tmp_path)
    gd = re.search(r"gradient descent\s+\S+\s+\S+\s+(\S+)\s+(\S+)", out)
    sgd = re.search(r"minibatch SGD\s+\S+\s+\S+\s+(\S+)\s+(\S+)", out)
    assert max(float(gd.group(1)), float(gd.group(2))) < 1e-5
    assert max(float(sgd.group(1)), float(sgd.group(2))) < 1e-2
    assert_png(tmp_path / "regression.png")


def test_circuits_gradients(tmp_path: Path) -> None:
    out = run(["demos.circuits"], tmp_path)
    assert "∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3" in out
    assert "f = σ(1) = 0.7310585786" in out
    assert "dw = [-0.1966119332, -0.3932238665, 0.1966119332]" in out
    assert "∂f/∂x = -8, ∂f/∂y = 6, ∂f/∂z = 2" in out and "∂f/∂w = 0" in out
    assert out.count("gradcheck passed") == 4 and "FAILED" not in out
    need_program("dot", "DOT")
    for name in ("circuits_add_mul", "circuits_neuron", "circuits_neuron_sigma", "circuits_max"):
        assert_svg(tmp_path / f"{name}.svg")
    assert_png(tmp_path / "circuits_add_mul.png")


def test_vanishing_gradients(tmp_path: Path) -> None:
    out = run(["demos.vanishing_gradients", "--seeds", "4", "--steps", "25", "--samples", "64"], tmp_path)
    row = re.search(r"out / 1((?:\s+[\d.]+×){6})", out).group(1)
    ratios = [float(r) for r in row.replace("×", " ").split()]
    sigmoid_uniform, relu_he = ratios[0], ratios[5]
    assert sigmoid_uniform > 50  # the sigmoid net's first layer learns far more slowly than its last
    assert relu_he < 10  # with He initialisation the ReLU net's gradients stay about the same size
    # trained side by side: the sigmoid nets stay near 0.125 (answering ½), the ReLU/He net learns
    losses = {name: number(rf"^  {name} +loss ([\d.]+)", out) for name in ("sigmoid, uniform", "ReLU, He")}
    assert losses["sigmoid, uniform"] == pytest.approx(0.125, abs=2e-3) and losses["ReLU, He"] < 0.1
    assert "sigmoid, Xavier   loss" in out and "at the first step → the last (25 steps)" in out
    assert_png(tmp_path / "vanishing_gradients.png")
    assert_png(tmp_path / "vanishing_gradients_training.png")


def test_vanishing_gradients_takes_depth_width_and_activation(tmp_path: Path) -> None:
    out = run(["demos.vanishing_gradients", "--seeds", "1", "--depth", "3", "--width", "4",
               "--activation", "relu", "--steps", "5", "--samples", "16"], tmp_path)
    assert "MLP(2, [4, 4, 4, 1]): 3 hidden layers of 4" in out
    assert re.search(r"out / 1\s+[\d.]+×\s+[\d.]+×\n", out)  # the two ReLU columns only
    assert "ReLU, uniform     loss" in out and "ReLU, He          loss" in out and "sigmoid," not in out
    assert_png(tmp_path / "vanishing_gradients_training.png")


def test_digits_learns_real_handwriting_and_pictures_its_mistakes(tmp_path: Path) -> None:
    import sklearn  # noqa: F401  (in the dev extra: CI must run this test, never skip it)

    out = run(["demos.digits", "--epochs", "3"], tmp_path)
    assert "1797 images of 8×8 pixels: 1438 for training, 359 held out for testing" in out
    assert "one batched graph per minibatch of 32" in out
    assert number(r"test accuracy ([\d.]+)% \(", out) >= 90
    assert re.search(r"wall time [\d.]+ s for 3 epochs: training [\d.]+ s \(135 SGD steps", out)
    matrix = re.findall(r"^ +(\d) +((?:[ ·\d]{5}){10}) +[\d.]+%$", out, re.MULTILINE)
    assert [int(d) for d, _ in matrix] == list(range(10))
    counts = [[0 if c.strip() == "·" else int(c) for c in re.findall(r".{5}", row)] for _, row in matrix]
    right = int(re.search(r"\((\d+) of 359 test digits right\)", out).group(1))
    assert sum(map(sum, counts)) == 359 and sum(counts[d][d] for d in range(10)) == right
    assert_png(tmp_path / "digits_mistakes.png")
    assert_png(tmp_path / "digits_loss.png")


def test_digits_without_scikit_learn_says_how_to_install_it(tmp_path: Path) -> None:
    blocked = ("import runpy, sys; sys.modules['sklearn'] = None; "  # import sklearn now fails
               f"sys.argv = ['digits', '--out', {str(tmp_path)!r}]; "
               "runpy.run_module('demos.digits', run_name='__main__')")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-c", blocked], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8", timeout=TIMEOUT, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "this demo needs scikit-learn" in result.stderr and "pip install scikit-learn" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_demo_runs_as_a_file(tmp_path: Path) -> None:
    out = run(["demos/circuits.py"], tmp_path)
    assert "gradcheck passed" in out


def test_microgpt_trains_samples_and_draws(tmp_path: Path) -> None:
    out = run(["demos.microgpt", "--steps", "4", "--samples", "3"], tmp_path)
    assert "num docs: 5" in out and "vocab size: 27" in out and "num params: 4192" in out
    assert re.search(r"^step    4/4 \| loss \d\.\d{4} \|", out, re.MULTILINE)
    assert len(re.findall(r"^sample  \d: [a-z]*$", out, re.MULTILINE)) == 3
    assert "[layer0/attn/head2] ∂loss" in out  # explain's summary of one position, by scope
    assert_png(tmp_path / "microgpt_attention.png")
    assert_png(tmp_path / "microgpt_loss.png")
    need_program("dot", "DOT")
    assert_svg(tmp_path / "microgpt_graph.svg")


def test_microgpt_benchmark_runs_and_the_losses_agree(tmp_path: Path) -> None:
    out = run(["demos.benchmark_microgpt", "--rounds", "2"], tmp_path)
    assert "microgpt ÷ gradstep: min" in out
    assert number(r"the losses agree to (\S+) \(relative\)", out) < 1e-9
    assert (tmp_path / "benchmark_microgpt.txt").is_file()
