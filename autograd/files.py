"""Every file gradstep writes or reads goes through here (model.save and load, render,
save_html, the command line's --svg and --html).

write_atomically(path, data) writes all of data to a temporary file beside the target,
then renames it over the target: a reader never sees half a file, and an interrupted
write leaves the old file as it was. Around that:

  - a symlink is followed: its target is written, and the link stays a link;
  - an existing file keeps its permissions; a read-only one (no write bit, or no
    permission for you) and anything that is not a regular file (a FIFO, a device, a
    folder) are refused with an error saying so;
  - a file with more than one hard link, or another owner or group than the rename would
    give it, is rewritten in place once the temporary copy is complete, since a rename
    would split the links or change the owner. The trade-off: a crash during that second
    copy can leave such a file half written;
  - the temporary file is named .gradstep-XXXXXXXX.tmp (short, so that any legal name
    works) and locked while it is written; one left behind by a killed process (unlocked
    and more than a minute old) is removed by the next write into that folder.

write_new(path, data) never replaces anything: when path exists it writes path-2,
path-3, … and returns the name it used. read_limited(path) reads a regular file of at
most MAX_READ_BYTES, never blocking on a FIFO or reading a device without end.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys
import time
from pathlib import Path

if sys.platform != "win32":
    import fcntl

PREFIX, SUFFIX = ".gradstep-", ".tmp"  # a temporary file: PREFIX + 8 hex digits + SUFFIX
ORPHAN_AGE = 60.0  # seconds; a younger temporary may be another writer's, not locked yet
MAX_READ_BYTES = 64 * 2**20
KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _error(path: str | os.PathLike[str], reason: str, code: int = errno.EINVAL) -> OSError:
    """An OSError naming the path; the errno picks its kind (EACCES: PermissionError, …)."""
    return OSError(code, f"cannot write {path}: {reason}")


def _failed(path: str | os.PathLike[str], e: OSError) -> OSError:
    return _error(path, e.strerror or str(e), e.errno or errno.EIO)


def _kind(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _check_target(path: Path, st: os.stat_result) -> None:
    """Refuse a target that is not a regular file, or that is read-only."""
    if stat.S_ISDIR(st.st_mode):
        raise _error(path, "it is a folder", errno.EISDIR)
    if not stat.S_ISREG(st.st_mode):
        raise _error(path, f"it is {_kind(st.st_mode)}, not a regular file")
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        mode = stat.S_IMODE(st.st_mode)
        raise _error(path, f"it is read-only (mode {mode:04o}); make it writable (chmod u+w) or choose "
                           "another name", errno.EACCES)


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write data to path as the module docstring says; returns path as given."""
    given = Path(path)
    target = Path(os.path.realpath(given))  # through symlinks: write what they point to
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _failed(given, e) from None
    if st is not None:
        _check_target(given, st)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _failed(given, e) from None
    remove_orphans(target.parent)
    fd, tmp = _create_temporary(given, target.parent, 0o600 if st else 0o666)  # 0666 less the umask
    try:
        try:
            _lock(fd)
            _write_all(fd, data)
            os.fsync(fd)
            mine = os.fstat(fd)
            if st is not None and (st.st_nlink > 1 or (st.st_uid, st.st_gid) != (mine.st_uid, mine.st_gid)):
                _rewrite_in_place(target, data)  # a rename would split the links or change the owner
                os.unlink(tmp)
            else:
                if st is not None:
                    os.fchmod(fd, stat.S_IMODE(st.st_mode))
                os.replace(tmp, target)
        finally:
            os.close(fd)
    except BaseException as e:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _failed(given, e) from None
        raise
    return given


def _create_temporary(given: Path, folder: Path, mode: int) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f"{PREFIX}{secrets.token_hex(4)}{SUFFIX}")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
        except OSError as e:  # name the file the user asked for, not our temporary one
            raise _failed(given, e) from None
    raise _error(given, f"no free temporary name in {folder}", errno.EEXIST)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _rewrite_in_place(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _lock(fd: int) -> None:
    """Hold an exclusive lock on our temporary while it exists (released when the process
    ends, however it ends), so that remove_orphans can tell a live one from an orphan."""
    if sys.platform != "win32":
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_temporary(name: str) -> bool:
    """A name write_atomically gives its temporary files."""
    middle = name[len(PREFIX):-len(SUFFIX)]
    return (name.startswith(PREFIX) and name.endswith(SUFFIX) and len(middle) == 8
            and all(c in "0123456789abcdef" for c in middle))


def remove_orphans(folder: str | os.PathLike[str]) -> list[str]:
    """Remove the temporaries of writers that died (unlocked, and older than ORPHAN_AGE
    seconds; without file locks, older than a day). Returns the names removed."""
    removed: list[str] = []
    try:
        entries = [e for e in os.scandir(folder) if is_temporary(e.name)]
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < ORPHAN_AGE:
                continue
            if sys.platform == "win32":
                if now - st.st_mtime > 86400:
                    os.unlink(entry.path)
                    removed.append(entry.name)
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer lives
                os.unlink(entry.path)
                removed.append(entry.name)
            finally:
                os.close(fd)
        except OSError:  # locked, or gone already: not ours to remove
            continue
    return removed


def write_new(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write data to a file that does not exist yet: path, or else path-2, path-3, …
    (before the suffix). Never replaces anything; returns the name used."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _failed(path, e) from None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for k in range(1, 1000):
        candidate = path if k == 1 else path.with_name(f"{path.stem}-{k}{path.suffix}")
        try:
            fd = os.open(candidate, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise _failed(candidate, e) from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:
            os.unlink(candidate)
            raise
        return candidate
    raise _error(path, "it and path-2 … path-999 all exist already", errno.EEXIST)


def read_limited(path: str | os.PathLike[str], owner: str, limit: int = MAX_READ_BYTES,
                 what: str = "file") -> bytes:
    """The bytes of a regular file of at most limit bytes; ValueError (naming owner) for a
    FIFO, a device, a folder or a larger file. Opening never blocks, not even on a FIFO."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{owner}: {path} is {_kind(st.st_mode)}, not a regular file")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1) if st.st_size <= limit else b""  # it may grow while we read
    finally:
        os.close(fd)
    size = max(st.st_size, len(data))
    if size > limit:
        raise ValueError(f"{owner}: {path} is {size / 2**20:.1f} MiB; a {what} may be at most "
                         f"{limit / 2**20:g} MiB")
    return data
