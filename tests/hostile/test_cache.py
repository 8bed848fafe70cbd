"""The template bytecode cache: planted files never run, the cache stays in its one folder.

A planted cache file here is a real attack: jinja2 unpickles the checksum that follows the
magic header, and the pickle below creates a sentinel file when it is loaded.  Each test
that expects the file to be ignored has a twin in ``test_own_private_file_is_trusted``
showing the same file *is* run when it sits where only the user could have written it, so
the sentinel checks cannot pass by accident (a wrong name, a template never loaded).
"""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic

from thymoscope.cache import MAX_FILES, bytecode_cache_in, cache_file_name

from .conftest import SUBPROCESS_TIMEOUT

CASE = str(Path(__file__).resolve().parents[2] / "kb" / "cases" / "chb-rct-end-of-therapy.yaml")
RENDER = (
    "import sys\n"
    "from thymoscope.api import diagnose_file\n"
    "from thymoscope.report.document import report_document\n"
    "from thymoscope.report.render import render\n"
    "print(render(report_document([diagnose_file(sys.argv[1])]), 'markdown'))\n"
)
OTHER_USER = 65534  # nobody
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")


class _Touch:
    """Unpickling this creates ``path``: the side effect of planted code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.path,))


def _template_names() -> list[str]:
    return sorted(p.name for p in files("thymoscope.templates").iterdir() if p.name.endswith(".j2"))


def _plant(folder: Path, sentinel: Path, mode: int = 0o600) -> list[Path]:
    """A malicious cache file under the name of every bundled template."""
    payload = bc_magic + pickle.dumps(_Touch(sentinel), protocol=4)
    planted = []
    for name in _template_names():
        path = folder / cache_file_name(name)
        path.write_bytes(payload)
        path.chmod(mode)
        planted.append(path)
    return planted


def _names_jinja_used(folder: Path) -> list[Path]:
    """The names the first cache used (jinja2's own scheme, a folder per version)."""
    import hashlib

    from thymoscope import __version__

    tagged = folder / f"jinja-{__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    tagged.mkdir(exist_ok=True)
    root = files("thymoscope.templates")
    names = []
    for name in _template_names():
        key = hashlib.sha1(f"{name}|{os.path.normpath(str(root / name))}".encode()).hexdigest()
        names.append(tagged / f"__jinja2_{key}.cache")
    return names


def _plant_where_jinja_looked(folder: Path, sentinel: Path) -> None:
    payload = bc_magic + pickle.dumps(_Touch(sentinel), protocol=4)
    for path in _names_jinja_used(folder):
        path.write_bytes(payload)


def _env(cache_home: Path | str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), **extra}
    env.pop("THYMOSCOPE_NO_CACHE", None)
    return env


def _render(env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", RENDER, CASE],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(name="uncached", scope="module")
def _uncached() -> str:
    return _render({**os.environ, "THYMOSCOPE_NO_CACHE": "1"})


def _cache_folder(tmp_path: Path, mode: int) -> Path:
    folder = tmp_path / "cache" / "thymoscope"
    folder.mkdir(parents=True)
    folder.chmod(mode)
    return folder


def test_own_private_file_is_trusted(tmp_path: Path) -> None:
    """The control: in the user's own 0700 folder, the same file is read (and runs)."""
    folder = _cache_folder(tmp_path, 0o700)
    sentinel = tmp_path / "ran"
    _plant(folder, sentinel)
    _render(_env(folder.parent))
    assert sentinel.exists()


def test_folder_others_can_write_is_never_used(tmp_path: Path, uncached: str) -> None:
    folder = _cache_folder(tmp_path, 0o777)
    sentinel = tmp_path / "ran"
    _plant(folder, sentinel)
    _plant_where_jinja_looked(folder, sentinel)
    assert _render(_env(folder.parent)) == uncached
    assert not sentinel.exists()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777  # left alone, not "repaired"


@as_root
def test_folder_made_by_someone_else_is_never_used(tmp_path: Path, uncached: str) -> None:
    """The review's case: a 0777 folder another user made, files planted in it."""
    folder = _cache_folder(tmp_path, 0o777)
    sentinel = tmp_path / "ran"
    _plant_where_jinja_looked(folder, sentinel)
    for path in _plant(folder, sentinel):
        os.chown(path, OTHER_USER, OTHER_USER)
    os.chown(folder, OTHER_USER, OTHER_USER)
    assert _render(_env(folder.parent)) == uncached
    assert not sentinel.exists()
    folder.chmod(0o700)  # even closed, it is not ours
    assert _render(_env(folder.parent)) == uncached
    assert not sentinel.exists()


@as_root
def test_file_owned_by_someone_else_is_never_read(tmp_path: Path, uncached: str) -> None:
    folder = _cache_folder(tmp_path, 0o700)
    sentinel = tmp_path / "ran"
    for path in _plant(folder, sentinel):
        os.chown(path, OTHER_USER, OTHER_USER)
    assert _render(_env(folder.parent)) == uncached
    assert not sentinel.exists()


def test_group_or_world_writable_file_is_never_read(tmp_path: Path, uncached: str) -> None:
    folder = _cache_folder(tmp_path, 0o700)
    sentinel = tmp_path / "ran"
    for mode in (0o620, 0o602):
        _plant(folder, sentinel, mode)
        assert _render(_env(folder.parent)) == uncached
        assert not sentinel.exists()


def test_symlinked_folder_is_never_used(tmp_path: Path, uncached: str) -> None:
    elsewhere = _cache_folder(tmp_path / "elsewhere", 0o700)
    sentinel = tmp_path / "ran"
    _plant(elsewhere, sentinel)
    home = tmp_path / "cache"
    home.mkdir()
    (home / "thymoscope").symlink_to(elsewhere)
    assert _render(_env(home)) == uncached
    assert not sentinel.exists()


def test_symlinked_cache_file_is_never_read(tmp_path: Path, uncached: str) -> None:
    folder = _cache_folder(tmp_path, 0o700)
    store = tmp_path / "store"
    store.mkdir()
    sentinel = tmp_path / "ran"
    for path in _plant(store, sentinel):
        (folder / path.name).symlink_to(path)
    assert _render(_env(folder.parent)) == uncached
    assert not sentinel.exists()


def test_pipe_under_a_cache_name_is_never_opened(tmp_path: Path, uncached: str) -> None:
    folder = _cache_folder(tmp_path, 0o700)
    fifos = [folder / cache_file_name(name) for name in _template_names()]
    fifos += _names_jinja_used(folder)
    for fifo in fifos:
        os.mkfifo(fifo, 0o600)
    # opening one for reading would block forever; the run ends and the output is right
    assert _render(_env(folder.parent)) == uncached


def test_relative_cache_home_is_ignored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _render(_env("relative", HOME=str(home)), cwd=tmp_path)
    assert not (tmp_path / "relative").exists()
    assert (home / ".cache").exists() is False  # ~/.cache itself is not created either


def test_no_chain_of_missing_folders_is_created(tmp_path: Path, uncached: str) -> None:
    assert _render(_env(tmp_path / "a" / "b")) == uncached
    assert not (tmp_path / "a").exists()
    assert _render(_env("", HOME=str(tmp_path / "no-home"))) == uncached
    assert not (tmp_path / "no-home").exists()


def test_only_the_last_folder_is_created_private(tmp_path: Path) -> None:
    _render(_env(tmp_path))
    folder = tmp_path / "thymoscope"
    assert stat.S_IMODE(folder.lstat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.lstat().st_mode) == 0o600 for p in folder.iterdir())


def test_own_folder_without_group_write_is_tightened(tmp_path: Path) -> None:
    """An older version made the folder 0755: still only the user could write it."""
    folder = _cache_folder(tmp_path, 0o755)
    _render(_env(folder.parent))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert any(folder.iterdir())


def _environment(templates: Path, cache: object) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates), bytecode_cache=cache)


def test_key_does_not_depend_on_where_thymoscope_is_installed(tmp_path: Path) -> None:
    """Two installs (two template paths) of one version share one file per template."""
    base = tmp_path / "cache"
    base.mkdir(mode=0o700)
    cache = bytecode_cache_in(base)
    for install in ("venv-a", "venv-b"):
        templates = tmp_path / install
        templates.mkdir()
        (templates / "page.j2").write_text("{{ x }} seen")
        assert _environment(templates, cache).get_template("page.j2").render(x=1) == "1 seen"
    assert [p.name for p in (base / "thymoscope").iterdir()] == [cache_file_name("page.j2")]


def test_full_folder_is_emptied_before_writing(tmp_path: Path) -> None:
    base = tmp_path / "cache"
    base.mkdir(mode=0o700)
    cache = bytecode_cache_in(base)
    folder = base / "thymoscope"
    for number in range(MAX_FILES):
        (folder / cache_file_name(f"old-{number}.j2")).write_bytes(b"stale")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.j2").write_text("{{ x }}")
    _environment(templates, cache).get_template("page.j2")
    assert [p.name for p in folder.iterdir()] == [cache_file_name("page.j2")]


def test_corrupt_file_is_recompiled(tmp_path: Path) -> None:
    base = tmp_path / "cache"
    base.mkdir(mode=0o700)
    (base / "thymoscope").mkdir(mode=0o700)
    (base / "thymoscope" / cache_file_name("page.j2")).write_bytes(bc_magic + b"\x80garbage")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.j2").write_text("{{ x }}!")
    cache = bytecode_cache_in(base)
    assert _environment(templates, cache).get_template("page.j2").render(x=2) == "2!"
