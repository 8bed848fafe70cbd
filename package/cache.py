"""A per-user cache of compiled jinja2 templates, read only from a folder no one else can write.

Compiled template bytecode is code: jinja2 unpickles and unmarshals it and then runs
it. ``jinja2.FileSystemBytecodeCache`` checks who owns its folder only when it picks
the folder itself; given a folder, it trusts whatever files it finds there. This cache
therefore checks for itself, every time:

- the folder is ``$XDG_CACHE_HOME/thymoscope`` (``~/.cache/thymoscope``); a relative
  ``XDG_CACHE_HOME`` is ignored, as the XDG base-directory spec says;
- only that last folder is ever created (mode 0700): if its parent is missing, there
  is no cache;
- the folder must be a real folder (no symlink) owned by the current user with mode
  0700. A folder of ours with no group/other write bits (an older version made it
  0755) is tightened to 0700; anything else is ignored: no cache this run;
- the folder is opened once and every file is reached through that open folder, so
  it cannot be swapped for another between the check and the use;
- a cache file is read only if it is a regular file (a pipe or device under a cache
  name is never opened), owned by the current user and not group/world-writable;
- file names depend on the thymoscope version, the Python version and the template
  name, not on where thymoscope is installed, and the folder is emptied of cache files
  when it holds more than ``MAX_FILES``, so it does not grow without bound.

A cache that is missing, refused, unreadable or corrupt only costs a recompile; it
never changes the output. ``THYMOSCOPE_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import stat
import sys
from functools import cache
from pathlib import Path
from typing import Any

from thymoscope import __version__

FOLDER_NAME = "thymoscope"
MAX_FILES = 512  # more than every template of a few versions; then the folder is emptied
MAX_BYTES = 4 * 2**20  # a compiled template is a few KB; a bigger file is not ours
_SUFFIX = ".cache"
_PREFIX = "jinja-"


def cache_base() -> Path | None:
    """``$XDG_CACHE_HOME`` if absolute, else ``~/.cache``; None when there is no home."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):
        return Path(configured)
    try:
        home = Path.home()
    except (KeyError, RuntimeError, OSError):  # no HOME and no passwd entry
        return None
    return home / ".cache" if home.is_absolute() else None


def _trusted_folder(fd: int) -> bool:
    """Whether the open folder ``fd`` is ours and closed to others (tightened if safe)."""
    info = os.fstat(fd)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return False
    mode = stat.S_IMODE(info.st_mode)
    if mode == 0o700:
        return True
    if mode & 0o022:  # others could have planted files: never trust it
        return False
    os.fchmod(fd, 0o700)  # ours, and no one else could write it: close it to reading too
    return stat.S_IMODE(os.fstat(fd).st_mode) == 0o700


def open_cache_folder(base: Path) -> int | None:
    """An open descriptor of ``base/thymoscope`` if it is safe to use, else None.

    Creates only the last folder (mode 0700), and only when ``base`` exists.
    """
    folder = base / FOLDER_NAME
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:  # missing parent, read-only place, name too long, ...
        return None
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(folder, flags)
    except OSError:  # a symlink, or not a folder
        return None
    try:
        if _trusted_folder(fd):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _trusted_file(info: os.stat_result) -> bool:
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == os.geteuid()
        and not info.st_mode & 0o022
        and info.st_size <= MAX_BYTES
    )


def cache_key(template_name: str) -> str:
    """The key of a template: its name only, not where thymoscope is installed."""
    return hashlib.sha256(template_name.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def cache_file_name(template_name: str) -> str:
    """The cache file a template's bytecode is kept in (inside the cache folder)."""
    tag = f"{_PREFIX}{__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return f"{tag}-{cache_key(template_name)}{_SUFFIX}"


def _new_bytecode_cache_class() -> type:
    import jinja2

    class SafeBytecodeCache(jinja2.BytecodeCache):
        """Bytecode files in one trusted open folder; see the module documentation."""

        def __init__(self, folder_fd: int) -> None:
            self.folder_fd = folder_fd

        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            # not the template's path: another install of the same version shares it
            return name

        def file_name(self, key: str) -> str:
            return cache_file_name(key)

        def read(self, name: str) -> bytes | None:
            """The file's bytes if it is one we wrote (checked before and after opening)."""
            try:
                before = os.lstat(name, dir_fd=self.folder_fd)
                if not _trusted_file(before):  # a pipe or device is never opened
                    return None
                flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
                fd = os.open(name, flags, dir_fd=self.folder_fd)
            except OSError:
                return None
            with os.fdopen(fd, "rb") as handle:
                after = os.fstat(fd)
                same = (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
                if not same or not _trusted_file(after):
                    return None
                try:
                    return handle.read(MAX_BYTES + 1)
                except OSError:
                    return None

        def load_bytecode(self, bucket: Any) -> None:
            data = self.read(self.file_name(bucket.key))
            if data is None or len(data) > MAX_BYTES:
                return
            try:
                bucket.load_bytecode(io.BytesIO(data))
            except Exception:  # corrupt: recompile
                bucket.reset()

        def _prune(self) -> None:
            try:
                names = os.listdir(self.folder_fd)
            except OSError:
                return
            if len(names) < MAX_FILES:
                return
            for name in names:
                if name.startswith(_PREFIX) and name.endswith(_SUFFIX):
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=self.folder_fd)

        def dump_bytecode(self, bucket: Any) -> None:
            buffer = io.BytesIO()
            bucket.write_bytecode(buffer)
            name = self.file_name(bucket.key)
            temp = f".{name}.{secrets.token_hex(4)}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            self._prune()
            try:
                fd = os.open(temp, flags, 0o600, dir_fd=self.folder_fd)
            except OSError:
                return
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(buffer.getvalue())
                os.replace(temp, name, src_dir_fd=self.folder_fd, dst_dir_fd=self.folder_fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=self.folder_fd)

    return SafeBytecodeCache


def bytecode_cache_in(base: Path) -> Any:
    """A bytecode cache in ``base/thymoscope``, or None when that folder is not safe."""
    fd = open_cache_folder(base)
    return None if fd is None else _new_bytecode_cache_class()(fd)


@cache
def jinja_bytecode_cache() -> Any:
    """The bytecode cache for jinja2 environments, or None when there is no safe place."""
    if os.environ.get("THYMOSCOPE_NO_CACHE") == "1":
        return None
    base = cache_base()
    return None if base is None else bytecode_cache_in(base)
