"""Write a map's kernel module to the on-disk cache and import it.

numba caches compiled machine code beside a module's source file, keyed by that file's
path and time stamp. Each map therefore gets one module file, named by a hash of what
identifies its formulas (and of the code that generates kernels from them), written
once; a later process finds the file by that hash, without deriving anything, and loads
the compiled kernels from numba's cache instead of compiling them again.

Trust: everything in the cache folder is executed (the modules, numba's index and data
files) or unpickled (:mod:`bifurc.eos.cache`), so the folder is created private (mode
0700). If it cannot be written, a private folder under the temporary directory is used
(created 0700; refused if it exists and belongs to another user or others can write in
it). A module records a hash of its own text, checked on every load; a damaged module or
numba file is discarded and rebuilt, with one warning. If the cache cannot be written (a
full disk), the kernels are compiled in memory, with one warning.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from ..atomic import replacing
from ..errors import InputError

__all__ = ["CacheWarning", "cache_dir", "is_loaded", "kernel_folder", "load_interpreted", "load_kernels"]

_MARKER = "# === algorithms ===\n"
_HEADER = "# bifurc kernels {digest} {body}\n"
_TRAILER = "# end of bifurc kernels {digest}\n"
_NUMBA_IMPORT = "\nimport numba as nb\n"
#: Files whose text decides what a formula compiles to: a change to any of them is a new key.
_GENERATORS = ("compilation/engine.py", "compilation/printer.py", "compilation/loader.py",
               "definition/formulas.py", "definition/iterated_map.py")
_PACKAGE = Path(__file__).resolve().parent.parent
_lock = threading.RLock()
_loaded: dict[str, ModuleType] = {}
_plain: dict[str, ModuleType] = {}
_private: dict[Path, Path] = {}
_warned: set[str] = set()


class CacheWarning(RuntimeWarning):
    """The kernel cache was damaged (the entry is rebuilt) or cannot be written (run without it)."""


def _warn_once(kind: str, message: str) -> None:
    if kind not in _warned:
        _warned.add(kind)
        warnings.warn(message, CacheWarning, stacklevel=3)


def cache_dir() -> Path:
    """The folder for generated kernel modules and numba's compiled code.

    ``$BIFURC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/bifurc``, else ``~/.cache/bifurc``.
    """
    if os.environ.get("BIFURC_CACHE_DIR"):
        return Path(os.environ["BIFURC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bifurc"


def _user() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def _check_private(folder: Path) -> Path:
    """``folder`` if it is a real folder of this user that nobody else can write in."""
    info = os.lstat(folder)
    if (not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != _user())
            or info.st_mode & 0o022):
        raise InputError(f"the kernel cache folder {folder} belongs to another user or others can write "
                         "in it; set BIFURC_CACHE_DIR to a private folder")
    return folder


def _probe(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder):
        pass


def kernel_folder() -> Path:
    """The folder kernel modules are written to: :func:`cache_dir`, created private (0700).

    If it cannot be written, ``bifurc-<uid>`` under the temporary directory, created 0700
    and checked: owned by this user, writable by nobody else.

    Raises
    ------
    InputError
        If the fallback folder exists but is not private.
    """
    wanted = cache_dir()
    with _lock:
        if wanted not in _private:
            try:
                _probe(wanted)
                _private[wanted] = wanted
            except OSError:
                fallback = Path(tempfile.gettempdir()) / f"bifurc-{_user()}"
                try:
                    fallback.mkdir(mode=0o700)
                except FileExistsError:
                    pass
                _private[wanted] = _check_private(fallback)
        return _private[wanted]


@functools.cache
def _algorithms_text() -> str:
    text = (Path(__file__).parent / "engine.py").read_text(encoding="utf-8")
    return text[text.index(_MARKER) + len(_MARKER):]


@functools.cache
def _fingerprint() -> str:
    """Hash of the kernel generator's source and of the Python, numba and sympy versions.

    numba's and sympy's versions are read from their version files without importing
    them: a cached map must load without sympy, and a small job runs without numba
    (:mod:`bifurc.compilation.interpreted`).
    """
    digest = hashlib.sha256(sys.version.encode())
    for package, version_file in (("numba", "_version.py"), ("sympy", "release.py")):
        digest.update((Path(importlib.util.find_spec(package).origin).parent / version_file).read_bytes())
    for name in _GENERATORS:
        digest.update((_PACKAGE / name).read_bytes())
    return digest.hexdigest()


def _body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def _intact(text: str, digest: str) -> bool:
    """True if ``text`` is a whole module written for ``digest``: its header's hash matches its body."""
    first, newline, rest = text.partition("\n")
    trailer = _TRAILER.format(digest=digest)
    if not newline or not rest.endswith(trailer):
        return False
    body = rest[: -len(trailer)]
    return first + "\n" == _HEADER.format(digest=digest, body=_body_hash(body))


def _discard(path: Path, name: str) -> None:
    """Remove a module file and everything numba and Python cached for it."""
    path.unlink(missing_ok=True)
    for stale in (path.parent / "__pycache__").glob(f"{name}.*"):
        stale.unlink(missing_ok=True)
    for stale in (path.parent / "__pycache__").glob(f"{path.stem}.*"):
        stale.unlink(missing_ok=True)


def _guard(dispatcher: object) -> None:
    """Make a numba dispatcher's disk cache heal itself and tolerate a full disk.

    An index or data file that cannot be read is discarded (numba compiles again and writes
    a new one); a write that fails with an OSError leaves the compiled code in memory only.
    """
    cache = getattr(dispatcher, "_cache", None)
    load, save = getattr(cache, "load_overload", None), getattr(cache, "save_overload", None)
    if load is None or save is None or not hasattr(cache, "_cache_file"):
        return

    def guarded_load(sig: object, target_context: object) -> object:
        try:
            return load(sig, target_context)
        except Exception as error:  # truncated or garbled pickle: numba raises what pickle raises
            _warn_once("damaged", f"discarded a damaged compiled-kernel cache file ({type(error).__name__}); "
                                  "compiling it again")
            Path(cache._cache_file._index_path).unlink(missing_ok=True)
            return None

    def guarded_save(sig: object, data: object) -> None:
        try:
            save(sig, data)
        except OSError as error:
            _warn_once("unwritable", f"cannot write the kernel cache ({error.strerror or error}); "
                                     "running without it")

    cache.load_overload, cache.save_overload = guarded_load, guarded_save


def _execute(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _in_memory(name: str, source: str) -> ModuleType:
    """The module compiled from ``source`` without numba's disk cache."""
    module = ModuleType(name)
    sys.modules[name] = module
    exec(compile(source.replace("cache=True", "cache=False"), f"<{name}>", "exec"), module.__dict__)
    return module


def _digest(key: str) -> str:
    return hashlib.sha256(f"{key}\0{_fingerprint()}".encode()).hexdigest()[:20]


def _module_text(map_source: str | Callable[[], str], digest: str) -> tuple[str, Path | None]:
    """The text of the kernel module for ``digest`` and its file (None if it cannot be written).

    Read from the cache if the file there is intact; else generated (``map_source``) and
    written once, atomically (numba keys its cache on the file's time stamp). A damaged
    file is discarded with one warning, a full disk leaves the text in memory with one.
    """
    name = f"bifurc_kernels_{digest}"
    path = kernel_folder() / f"map_{digest}.py"
    if path.exists():
        text = path.read_text(encoding="utf-8", errors="replace")
        if _intact(text, digest):
            return text, path
        _warn_once("damaged", f"discarded a damaged kernel module {path.name}; building it again")
        _discard(path, name)
    body = (map_source() if callable(map_source) else map_source) + "\n\n" + _algorithms_text()
    header = _HEADER.format(digest=digest, body=_body_hash(body))
    text = header + body + _TRAILER.format(digest=digest)
    try:
        with replacing(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return text, path
    except OSError as error:  # a full disk or a folder that became unwritable
        _warn_once("unwritable", f"cannot write the kernel cache ({error.strerror or error}); "
                                 "running without it")
        path.unlink(missing_ok=True)
        return text, None


def load_kernels(map_source: str | Callable[[], str], key: str | None = None) -> ModuleType:
    """Import the kernel module made of a map's kernels and the shared algorithms.

    Parameters
    ----------
    map_source
        The map-specific source from :func:`bifurc.compilation.printer.kernel_source`, or a
        function that returns it, called only if the cache holds no module for ``key``.
    key
        Text that identifies the formulas (:attr:`bifurc.Map.formula_key`); by default
        ``map_source`` itself, which must then be a string.

    Returns
    -------
    module
        A module with the map's kernels and every algorithm of
        :mod:`bifurc.compilation.engine`, each compiled by numba on its first call.
    """
    digest = _digest(map_source if key is None else key)
    with _lock:
        if digest in _loaded:
            return _loaded[digest]
        name = f"bifurc_kernels_{digest}"
        text, path = _module_text(map_source, digest)
        module = _execute(name, path) if path is not None else _in_memory(name, text)
        for value in vars(module).values():
            _guard(value)
        _loaded[digest] = module
        return module


def is_loaded(key: str) -> bool:
    """True if the compiled kernels for ``key`` are loaded in this process."""
    return _digest(key) in _loaded


def load_interpreted(map_source: str | Callable[[], str], key: str) -> ModuleType:
    """The same kernel module as :func:`load_kernels`, executed as plain Python.

    The module text comes from the same cache file (written if missing), with numba
    replaced by :data:`bifurc.compilation.interpreted.numba_stand_in`: nothing is
    compiled and numba is not imported. ``WEIGHT`` is the cost of one evaluation in plain
    Python (:func:`bifurc.compilation.interpreted.weight`).
    """
    from .interpreted import numba_stand_in, weight

    digest = _digest(key)
    with _lock:
        if digest in _plain:
            return _plain[digest]
        text, _ = _module_text(map_source, digest)
        module = ModuleType(f"bifurc_kernels_{digest}_plain")
        module.nb = numba_stand_in
        # the one line that would import numba; the text is the generator's own (hash-checked)
        exec(compile(text.replace(_NUMBA_IMPORT, "\n", 1), f"<kernels {digest}>", "exec"), module.__dict__)
        module.WEIGHT = weight(text)
        _plain[digest] = module
        return module
