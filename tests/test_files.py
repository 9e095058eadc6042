"""Every writer (Module.save, render, save_html, the CLI's --svg and --html) goes through
autograd/files.py: modes kept, read-only and non-regular targets refused, symlinks written
through, hard links kept, long names, orphaned temporaries cleaned, nothing unnamed
overwritten; Module.load refuses what is not a regular file of reasonable size."""

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from autograd import files, render, save_html
from autograd.cli import main
from nn import MLP
from tests.conftest import cs231n, need_program

ROOT = Path(__file__).resolve().parent.parent
MAX_READ_BYTES = getattr(files, "MAX_READ_BYTES", 64 * 2**20)


def save_model(path):
    MLP(2, [2, 1], seed=1).save(path)


def render_svg(path):
    need_program("dot", "DOT")
    render(cs231n()[0], path)


def write_page(path):
    need_program("dot", "DOT")
    save_html(cs231n()[0], path)


def cli_svg(path):
    need_program("dot", "DOT")
    assert main(["x * y", "x=2", "y=3", "--svg", str(path)]) == 0


def cli_html(path):
    need_program("dot", "DOT")
    assert main(["x * y", "x=2", "y=3", "--html", str(path)]) == 0


WRITERS = {"save": (save_model, ".json"), "render": (render_svg, ".svg"), "save_html": (write_page, ".html"),
           "--svg": (cli_svg, ".svg"), "--html": (cli_html, ".html")}


@pytest.fixture(params=list(WRITERS))
def writer(request):
    return WRITERS[request.param]


@contextmanager
def deadline(seconds):
    """Fail instead of hanging (a FIFO opened for writing blocks until a reader comes)."""
    def fail(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def leftovers(folder, *keep):
    return sorted(name for name in os.listdir(folder) if name not in keep)


def test_an_existing_file_keeps_its_mode(tmp_path, writer):
    write, suffix = writer
    target = tmp_path / f"private{suffix}"
    target.write_text("old")
    target.chmod(0o600)
    write(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text() != "old"
    assert leftovers(tmp_path, target.name) == []


def test_a_new_file_gets_the_usual_mode(tmp_path):
    old = os.umask(0o027)
    try:
        save_model(tmp_path / "m.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o640


def test_a_read_only_target_is_refused_and_left_alone(tmp_path, writer):
    write, suffix = writer
    target = tmp_path / f"locked{suffix}"
    target.write_text("keep me")
    target.chmod(0o444)
    if write in (cli_svg, cli_html):
        need_program("dot", "DOT")
        assert main(["x * y", "x=2", "y=3", "--svg" if suffix == ".svg" else "--html", str(target)]) == 1
    else:
        with pytest.raises(PermissionError, match=f"cannot write {target}: it is read-only"):
            write(target)
    assert target.read_text() == "keep me" and leftovers(tmp_path, target.name) == []


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_target_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    if kind == "fifo":
        target = tmp_path / "pipe.json"
        os.mkfifo(target)
        match = "it is a FIFO, not a regular file"
    elif kind == "folder":
        target = tmp_path / "folder.json"
        target.mkdir()
        match = "it is a folder"
    else:  # a null device of our own: a regression must not replace the system's /dev/null
        target = Path("/dev/null")
        if os.geteuid() == 0:
            target = tmp_path / "null"
            os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        match = "it is a character device, not a regular file"
    with deadline(10), pytest.raises(OSError, match=match):
        save_model(target)
    assert leftovers(tmp_path, target.name) == []


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path, writer):
    write, suffix = writer
    real = tmp_path / "elsewhere" / f"real{suffix}"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / f"link{suffix}"
    link.symlink_to(real)
    write(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() != "old"
    assert leftovers(tmp_path, "elsewhere", link.name) == [] and leftovers(real.parent, real.name) == []


def test_a_dangling_symlink_creates_its_target(tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    save_model(link)
    assert link.is_symlink() and real.is_file() and '"gradstep.nn"' in real.read_text()


def test_hard_links_stay_joined(tmp_path, writer):
    write, suffix = writer
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    a.write_text("old")
    os.link(a, b)
    write(a)
    assert os.path.samefile(a, b) and b.read_text() == a.read_text() != "old"
    assert leftovers(tmp_path, a.name, b.name) == []


@pytest.mark.parametrize("length", [241, 250, 255])
def test_names_up_to_255_characters_work(tmp_path, writer, length):
    write, suffix = writer
    target = tmp_path / ("n" * (length - len(suffix)) + suffix)
    write(target)
    assert target.is_file() and leftovers(tmp_path, target.name) == []


KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    def stall(fd):
        print("writing", flush=True)
        time.sleep(120)
    os.fsync = stall  # stop in the middle of writing the temporary file
    from nn import MLP
    MLP(2, [2, 1], seed=1).save(sys.argv[1])
""")


def start_writer(path):
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER.format(root=str(ROOT)), str(path)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "writing\n"
    return child


def test_a_temporary_left_by_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "model.json"
    for _ in range(3):
        child = start_writer(target)
        child.kill()
        child.wait()
    orphans = leftovers(tmp_path)
    assert len(orphans) == 3 and all(len(name) <= 30 for name in orphans)
    for name in orphans:  # recent ones may still be another writer's: only old ones go
        os.utime(tmp_path / name, (time.time() - 600, time.time() - 600))
    save_model(tmp_path / "other.json")
    assert leftovers(tmp_path) == ["other.json"]


def test_the_temporary_of_a_writer_still_running_is_left_alone(tmp_path):
    child = start_writer(tmp_path / "model.json")
    try:
        (busy,) = leftovers(tmp_path)
        os.utime(tmp_path / busy, (time.time() - 600, time.time() - 600))
        save_model(tmp_path / "other.json")
        assert leftovers(tmp_path, "other.json") == [busy]
    finally:
        child.kill()
        child.wait()


def test_someone_elses_dotfiles_are_never_removed(tmp_path):
    for name in (".model.json.abc123.tmp", ".gradstep-notes.tmp", ".cache"):
        (tmp_path / name).write_text("theirs")
        os.utime(tmp_path / name, (time.time() - 600, time.time() - 600))
    save_model(tmp_path / "m.json")
    assert leftovers(tmp_path, "m.json") == [".cache", ".gradstep-notes.tmp", ".model.json.abc123.tmp"]


def test_render_without_graphviz_never_overwrites_a_dot_file_it_was_not_given(tmp_path, monkeypatch):
    f, _ = cs231n()
    notes = tmp_path / "notes.dot"
    notes.write_text("my own notes")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(RuntimeError) as info:
        render(f, tmp_path / "notes.svg")
    assert notes.read_text() == "my own notes"
    written = tmp_path / "notes-2.dot"
    assert written.read_text().startswith("digraph autograd")
    assert f"{notes} already exists" in str(info.value) and str(written) in str(info.value)
    with pytest.raises(RuntimeError, match="notes-3.dot"):
        render(f, tmp_path / "notes.svg")
    assert notes.read_text() == "my own notes"


# -- Module.load --------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "folder"])
def test_load_refuses_what_is_not_a_regular_file_without_reading_or_blocking(tmp_path, source):
    if source == "fifo":
        source = tmp_path / "pipe"
        os.mkfifo(source)
    elif source == "folder":
        source = tmp_path
    model = MLP(2, [1], seed=1)
    before = [p.data for p in model.parameters()]
    with deadline(10), pytest.raises(ValueError, match="not a regular file"):
        model.load(source)
    assert [p.data for p in model.parameters()] == before


def test_load_refuses_a_file_larger_than_the_limit(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(MAX_READ_BYTES + 1)  # sparse: costs no disk
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"big.json is 64.0 MiB; a model file may be at most 64 MiB"):
        MLP(2, [1]).load(big)
    assert time.perf_counter() - t0 < 1.0


def test_load_reads_through_a_symlink(tmp_path):
    model = MLP(2, [1], seed=1)
    model.save(tmp_path / "m.json")
    (tmp_path / "link.json").symlink_to(tmp_path / "m.json")
    other = MLP(2, [1], seed=2)
    other.load(tmp_path / "link.json")
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
