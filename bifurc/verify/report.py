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


def table(results: Sequence[CheckResult], claim_width: int = 46) -> str:
    """A fixed-width table: id, paper, claim, predicted, measured, order, pass; then a summary."""
    head = (f"{'id':34} {'paper':14} {'claim':{claim_width}} {'predicted':>14} {'measured':>14} "
            f"{'order':>6} pass")
    lines = [head, "-" * len(head)]
    for r in results:
        order = "-" if r.order is None else f"{r.order:.2f}"
        lines.append(
            f"{_cell(r.id, 34):34} {_cell(r.paper, 14):14} {_cell(r.claim, claim_width):{claim_width}} "
            f"{_cell(r.predicted, 14):>14} {_cell(r.measured, 14):>14} {order:>6} "
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
