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


def table(results: Sequence[CheckResult], claim_width: int = 50, value_width: int = 28) -> str:
    """A fixed-width table: id, paper, claim, predicted, measured, order, pass; then a summary."""
    w = value_width
    head = (f"{'id':32} {'paper':12} {'claim':{claim_width}} {'predicted':>{w}} {'measured':>{w}} "
            f"{'order':>6} pass")
    lines = [head, "-" * len(head)]
    for r in results:
        order = "-" if r.order is None else f"{r.order:.2f}"
        lines.append(
            f"{_cell(r.id, 32):32} {_cell(r.paper, 12):12} {_cell(r.claim, claim_width):{claim_width}} "
            f"{_cell(r.predicted, w):>{w}} {_cell(r.measured, w):>{w}} {order:>6} "
            f"{'PASS' if r.passed else 'FAIL'}"
        )
        if r.error:
            lines.append(f"    error: {r.error}")
    failed = [r.id for r in results if not r.passed]
    total = sum(r.seconds for r in results)
    lines.append("")
    lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed ({total:.1f} s)")
    if failed:
        lines.append("failed: " + ", ".join(failed))
    return "\n".join(lines)
