"""The release as a user installs it: license, metadata, version, the command's name, an
sdist that runs its own tests, and a clear error when PyPI's other `autograd` (HIPS
autograd) shares the import name."""

import importlib.metadata
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
import tomllib

import autograd
import nn
from autograd.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_license_is_mit_with_an_spdx_expression_and_a_file():
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]  # SPDX replaces them
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert build == ["setuptools>=77"]  # the first setuptools that reads license-files


def test_urls_classifiers_and_keywords():
    assert PROJECT["urls"]["Homepage"].startswith("https://")
    assert {"Issues", "Source"} <= set(PROJECT["urls"])
    assert "Intended Audience :: Education" in PROJECT["classifiers"]
    assert "Typing :: Typed" in PROJECT["classifiers"]
    assert {"autograd", "backpropagation", "teaching"} <= set(PROJECT["keywords"])


def test_one_version_everywhere(capsys):
    assert autograd.__version__ == nn.__version__
    assert PROJECT["dynamic"] == ["version"]
    assert importlib.metadata.version("gradstep") == autograd.__version__
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"gradstep {autograd.__version__}\n"


def test_help_names_the_command_gradstep(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out.startswith("usage: gradstep ")


# -- the sdist ---------------------------------------------------------------------------------


def test_the_sdist_carries_its_tests_and_runs_them(tmp_path):
    pytest.importorskip("build")  # in the dev extra; CI refuses skips
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (sdist,) = tmp_path.glob("gradstep-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
        tar.extractall(tmp_path / "unpacked", filter="data")
    wanted = {"LICENSE", "README.md", "pyproject.toml", ".ci/run", "tests/conftest.py", "tests/__init__.py"}
    wanted |= {str(p.relative_to(ROOT)) for folder in ("tests", "demos", "autograd", "nn")
               for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts}
    assert wanted <= names, sorted(wanted - names)
    stray = [n for n in names if n.startswith((".venv", "out/")) or "__pycache__" in n or n.endswith(".pyc")]
    assert not stray
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_core.py::test_the_four_core_modules_are_at_most_650_lines",
                          "tests/test_readme.py::test_quick_start_has_two_commands_and_ci_runs_the_test_one",
                          "tests/test_nn.py::test_datasets"], cwd=unpacked, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "3 passed" in run.stdout


# -- HIPS autograd in the same environment -----------------------------------------------------

HIPS_INIT = '"""HIPS autograd, as PyPI\'s `autograd` installs it."""\n__version__ = "1.7.0"\n'
SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    sys.path.append(sys.argv[2])  # numpy's folder, without this venv's other .pth entries
    try:
        import {module}
    except ImportError as e:
        print("ImportError:", e)
    else:
        print("imported", {module}.__file__)
""")


def site(tmp_path, *, ours=True, hips=False, hips_init=False, drop=()):
    """A site-packages folder holding gradstep's autograd and nn, HIPS autograd's files, or both."""
    folder = tmp_path / "site"
    shutil.copytree(ROOT / "nn", folder / "nn", ignore=shutil.ignore_patterns("__pycache__"))
    package = folder / "autograd"
    if ours:
        shutil.copytree(ROOT / "autograd", package, ignore=shutil.ignore_patterns("__pycache__"))
    package.mkdir(exist_ok=True)
    for name in drop:
        (package / name).unlink()
    if hips:
        (package / "tracer.py").write_text("# HIPS autograd's tracer\n")
        (package / "numpy").mkdir()
        (package / "numpy" / "__init__.py").write_text("")
    if hips_init:
        (package / "__init__.py").write_text(HIPS_INIT)
    return folder


def run_import(folder, module):
    import numpy

    numpy_parent = str(Path(numpy.__file__).parent.parent)
    script = SCRIPT.format(module=module)
    command = [sys.executable, "-S", "-c", script, str(folder), numpy_parent]
    # cwd: not this checkout, whose own autograd would be found first
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def assert_explains(message):
    assert message.startswith("ImportError:")
    assert "HIPS autograd" in message and "pip uninstall autograd" in message and "virtualenv" in message


def test_gradstep_alone_imports(tmp_path):
    folder = site(tmp_path)
    assert run_import(folder, "autograd") == f"imported {folder / 'autograd' / '__init__.py'}"
    assert run_import(folder, "nn") == f"imported {folder / 'nn' / '__init__.py'}"


def test_hips_files_merged_into_gradsteps_folder_are_refused(tmp_path):
    folder = site(tmp_path, hips=True)  # HIPS installed first, gradstep over it
    message = run_import(folder, "autograd")
    assert_explains(message)
    assert "tracer.py" in message
    assert_explains(run_import(folder, "nn"))


def test_nn_refuses_hips_autograd_in_gradsteps_place(tmp_path):
    folder = site(tmp_path, hips=True, hips_init=True)  # gradstep first, HIPS over it
    assert run_import(folder, "autograd").startswith("imported")  # HIPS's own: not ours to refuse
    message = run_import(folder, "nn")
    assert_explains(message)
    assert "is not gradstep's" in message


def test_a_folder_left_without_gradsteps_init_is_explained(tmp_path):
    folder = site(tmp_path, drop=["__init__.py"])  # HIPS uninstalled: it took __init__.py along
    message = run_import(folder, "nn")
    assert_explains(message)


def test_a_folder_missing_some_of_gradsteps_files_is_explained(tmp_path):
    folder = site(tmp_path, drop=["value.py"])
    message = run_import(folder, "autograd")
    assert_explains(message)
    assert "missing value.py" in message


def test_the_list_of_gradsteps_modules_is_complete():
    modules = {p.stem for p in (ROOT / "autograd").glob("*.py")} - {"__init__", "__main__"}
    assert set(autograd._OURS) == modules
    assert not set(autograd._THEIRS) & {p.name for p in (ROOT / "autograd").iterdir()}


def test_the_readme_says_what_to_do_about_hips_autograd():
    readme = (ROOT / "README.md").read_text()
    install = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "HIPS" in install and "pip uninstall autograd" in install and "virtualenv" in install
