"""Write a map's kernel module to the on-disk cache and import it.

numba caches compiled machine code beside a module's source file, keyed by that file's
path and time stamp. Each map therefore gets one module file, named by a hash of its
content and written once; a second process imports the same file and loads the
compiled kernels from numba's cache instead of compiling them again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType

import numba

from ..atomic import replacing

__all__ = ["cache_dir", "load_kernels"]

_MARKER = "# === algorithms ===\n"
_lock = threading.Lock()
_loaded: dict[str, ModuleType] = {}


def cache_dir() -> Path:
    """The folder for generated kernel modules and numba's compiled code.

    ``$BIFURC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/bifurc``, else ``~/.cache/bifurc``.
    """
    if os.environ.get("BIFURC_CACHE_DIR"):
        return Path(os.environ["BIFURC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bifurc"


def _algorithms_text() -> str:
    text = (Path(__file__).parent / "engine.py").read_text(encoding="utf-8")
    return text[text.index(_MARKER) + len(_MARKER):]


def _writable(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, delete=True)
        probe.close()
        return folder
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"bifurc-{os.getuid() if hasattr(os, 'getuid') else 0}"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


def load_kernels(map_source: str) -> ModuleType:
    """Import the kernel module made of ``map_source`` and the shared algorithms.

    Parameters
    ----------
    map_source
        The map-specific source from :func:`bifurc.compilation.printer.kernel_source`.

    Returns
    -------
    module
        A module with the map's kernels and every algorithm of
        :mod:`bifurc.compilation.engine`, compiled lazily by numba on first call.
    """
    source = map_source + "\n\n" + _algorithms_text()
    digest = hashlib.sha256(
        (source + numba.__version__ + sys.version).encode("utf-8")
    ).hexdigest()[:20]
    with _lock:
        if digest in _loaded:
            return _loaded[digest]
        folder = _writable(cache_dir())
        path = folder / f"map_{digest}.py"
        if not path.exists():
            # write once, atomically: numba keys its cache on the file's time stamp
            with replacing(path, "w", encoding="utf-8") as handle:
                handle.write(source)
        name = f"bifurc_kernels_{digest}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _loaded[digest] = module
        return module
