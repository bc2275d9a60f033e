"""The papers' key figures, regenerated from the package's own maps and checks.

Each paper has a module with functions ``figure_<name>(quick=False) -> Figure``;
:data:`FIGURES` names them all and :func:`write_all` writes them to files.
``quick=True`` builds each figure at reduced resolution (for tests and previews).
The figures of real networks train on scikit-learn's digits (the ``data`` extra); without
it, ``bifurc figures`` draws every other figure and names those it could not draw.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from matplotlib.figure import Figure

from ..atomic import replacing
from . import architectures, beyond, chen_bruna, classics, kalra, lowell_kastner, networks, song_yun, zhu

__all__ = ["FIGURES", "FORMATS", "write_all", "select", "main_cli", "needs_data"]

#: Every figure by name, in the order they are written.
FIGURES: dict[str, Callable[..., Figure]] = {
    "song-yun-toy": song_yun.figure_toy_alignment,
    "song-yun-bifurcation": song_yun.figure_bifurcation,
    "song-yun-limit": song_yun.figure_limit,
    "kalra-phase-portrait": kalra.figure_uv_phase_portrait,
    "kalra-sharpness-spectrum": kalra.figure_sharpness_spectrum,
    "kalra-cubic-map": kalra.figure_cubic_route_to_chaos,
    "zhu-adaptivity": zhu.figure_adaptivity,
    "zhu-concentration": zhu.figure_concentration,
    "zhu-parabola-ellipse": zhu.figure_parabola_ellipse,
    "zhu-convergence-map": zhu.figure_convergence_map,
    "chen-bruna-two-step": chen_bruna.figure_two_step,
    "damian-self-stabilization": beyond.figure_self_stabilization,
    "agarwala-progressive-sharpening": beyond.figure_progressive_sharpening,
    "lowell-kastner": lowell_kastner.figure_gd_vs_flow,
    "nets-width-alignment": networks.figure_width_alignment,
    "nets-multi-point": networks.figure_multi_point,
    "nets-kalra-fcn": networks.figure_kalra_fcn,
    "nets-lowell-kastner": networks.figure_lowell_kastner,
    "nets-jacobian-alignment": networks.figure_jacobian_alignment,
    "nets-zhu-subspace": networks.figure_zhu_subspace,
    "nets-cnn-sharpness": architectures.figure_cnn_sharpness,
    "nets-resnet-sharpness": architectures.figure_resnet_sharpness,
    "classics-logistic": classics.figure_logistic,
    "classics-henon": classics.figure_henon,
    "classics-basins": classics.figure_newton_basins,
    "classics-cascade": classics.figure_cascade,
}

#: Output formats matplotlib writes without extra dependencies.
FORMATS = ("png", "pdf", "svg")


def needs_data(error: BaseException) -> bool:
    """True if ``error`` (or an error it was raised from) is scikit-learn missing.

    Examples
    --------
    >>> from bifurc.figures import needs_data
    >>> try:
    ...     raise RuntimeError("digits unavailable") from ModuleNotFoundError("no sklearn", name="sklearn")
    ... except RuntimeError as error:
    ...     print(needs_data(error), needs_data(ValueError("other")))
    True False
    """
    while error is not None:
        if isinstance(error, ImportError) and (error.name or "").partition(".")[0] == "sklearn":
            return True
        error = error.__cause__
    return False


def write_all(out_dir: str | Path, fmt: str = "png", only: str | Iterable[str] | None = None,
              quick: bool = False, progress: Callable[[str, Path], None] | None = None,
              missing: list[str] | None = None) -> list[Path]:
    """Build figures and write them as ``out_dir/<name>.<fmt>``.

    Parameters
    ----------
    out_dir
        The folder (created if missing).
    fmt
        ``"png"``, ``"pdf"`` or ``"svg"``.
    only
        A figure name, or several (default: all of :data:`FIGURES`). A name that is a prefix
        of others selects them all (``"zhu"``: every Zhu figure).
    quick
        Reduced resolution (seconds per figure instead of tens).
    progress
        Called with (name, path) after each figure is written (e.g. to print where).
    missing
        If given, a figure that needs scikit-learn when it is not installed is skipped and
        its name appended here; otherwise the ImportError is raised.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`FIGURES`.

    Raises
    ------
    ValueError
        If ``fmt`` is not a known format or a name of ``only`` matches no figure.

    Examples
    --------
    >>> import tempfile
    >>> from bifurc.figures import write_all
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (path,) = write_all(folder, "svg", only="classics-cascade", quick=True)
    ...     print(path.name, path.read_text().startswith("<?xml"))
    classics-cascade.svg True
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    names = select(only)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        try:
            fig = FIGURES[name](quick=quick)
        except ImportError as error:
            if missing is None or not needs_data(error):
                raise
            missing.append(name)
            continue
        path = out / f"{name}.{fmt}"
        with replacing(path) as handle:  # an interrupted run leaves no partial figure
            fig.savefig(handle, format=fmt, dpi=150 if fmt == "png" else None)
        written.append(path)
        if progress is not None:
            progress(name, path)
    return written


def select(only: str | Iterable[str] | None) -> list[str]:
    """The figure names picked by ``only`` (exact names or prefixes), in registry order.

    Raises
    ------
    ValueError
        If a requested name matches no figure; the message lists the figures.

    Examples
    --------
    >>> from bifurc.figures import select
    >>> select("classics")  # a prefix picks every figure it begins
    ['classics-logistic', 'classics-henon', 'classics-basins', 'classics-cascade']
    >>> select(["classics-henon", "lowell-kastner"])
    ['lowell-kastner', 'classics-henon']
    """
    if only is None:
        return list(FIGURES)
    wanted = [only] if isinstance(only, str) else list(only)
    picked = []
    for want in wanted:
        matches = [n for n in FIGURES if n == want] or [n for n in FIGURES if n.startswith(want)]
        if not matches:
            raise ValueError(f"only: no figure named {want!r} (figures: {', '.join(FIGURES)})")
        picked += [m for m in matches if m not in picked]
    return [n for n in FIGURES if n in picked]


def main_cli(args: object) -> int:
    """Run ``bifurc figures`` from parsed arguments with attributes ``out``, ``format``,
    ``only`` and ``quick`` (any missing one takes its default); prints each file written,
    then one line naming the figures that need scikit-learn if it is not installed.

    Returns
    -------
    int
        The exit status: 0, or 1 if figures asked for by ``only`` could not be drawn.

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> from bifurc.figures import main_cli
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     status = main_cli(SimpleNamespace(out=folder, only="classics-cascade", quick=True, format="svg"))
    wrote .../classics-cascade.svg
    1 figure(s) in ...
    >>> status
    0
    """
    out = getattr(args, "out", None) or "figures/out"
    only = getattr(args, "only", None)
    missing: list[str] = []
    written = write_all(out, fmt=getattr(args, "format", None) or "png", only=only,
                        quick=bool(getattr(args, "quick", False)),
                        progress=lambda name, path: print(f"wrote {path}", flush=True), missing=missing)
    print(f"{len(written)} figure(s) in {Path(out).resolve()}")
    if missing:
        print(f"bifurc: not drawn, they need scikit-learn (pip install 'bifurc[data]'): {', '.join(missing)}",
              file=sys.stderr)
    return 1 if missing and only is not None else 0
