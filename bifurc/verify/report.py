"""The verify table."""

from __future__ import annotations

from collections.abc import Sequence

from .registry import CheckResult

__all__ = ["table"]


def _cell(value: object, width: int) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _verdict(r: CheckResult) -> str:
    if r.skipped:
        return "SKIP"
    return "PASS" if r.ok else "FAIL"


def table(results: Sequence[CheckResult], claim_width: int = 44, value_width: int = 24) -> str:
    """A fixed-width table, one row per (check, loss): id, loss, claim, predicted, measured, order,
    and, where controls were run, controls rejected / shown and the resolution; then a summary
    with every skipped record's reason and every control a check failed to reject.

    Examples
    --------
    >>> from bifurc.verify import run_checks, table
    >>> text = table(run_checks(["chen-bruna/zhu-instance"]))
    >>> text.splitlines()[0].split()[:3], text.splitlines()[2].split()[0], text.splitlines()[2].split()[-1]
    (['id', 'loss', 'claim'], 'chen-bruna/zhu-instance', 'PASS')
    """
    w = value_width
    with_controls = any(r.controls is not None for r in results)
    extra = f" {'ctrl':>5} {'resol.':>7}" if with_controls else ""
    head = (f"{'id':32} {'loss':14} {'claim':{claim_width}} {'predicted':>{w}} {'measured':>{w}} "
            f"{'order':>6}{extra} pass")
    lines = [head, "-" * len(head)]
    notes = []
    for r in results:
        order = "-" if r.order is None else f"{r.order:.2f}"
        cells = ""
        if with_controls:
            shown = "-" if r.controls is None else f"{sum(c.rejected for c in r.controls)}/{len(r.controls)}"
            resolved = "-" if r.resolution is None else f"{r.resolution:.1e}"
            cells = f" {shown:>5} {resolved:>7}"
        lines.append(
            f"{_cell(r.id, 32):32} {_cell(r.loss, 14):14} {_cell(r.claim, claim_width):{claim_width}} "
            f"{_cell(r.predicted, w):>{w}} {_cell(r.measured, w):>{w}} {order:>6}{cells} {_verdict(r)}"
        )
        label = r.id if r.loss is None else f"{r.id} [{r.loss}]"
        if r.error:
            lines.append(f"    error: {r.error}")
        if r.skipped:
            notes.append(f"skipped {label}: {r.skipped}")
        for c in r.controls or ():
            if not c.rejected:
                why = f" ({c.error})" if c.error else f" (measured {c.measured})"
                notes.append(f"NOT REJECTED {label}: control {c.name!r}{why}")
        if r.controls is not None and not r.controls and not r.skipped:
            notes.append(f"NO CONTROL {label}: the check declares no wrong claim to reject")
        if r.resolution_note and r.resolution is None:
            notes.append(f"NO RESOLUTION {label}: {r.resolution_note}")
    failed = [r.id if r.loss is None else f"{r.id} [{r.loss}]" for r in results if not r.ok]
    total = sum(r.seconds for r in results)
    lines.append("")
    lines.extend(notes)
    lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed ({total:.1f} s)")
    if failed:
        lines.append("failed: " + ", ".join(failed))
    return "\n".join(lines)
