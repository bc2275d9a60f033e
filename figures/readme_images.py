"""Regenerate the small images the README shows (docs/*.png) from the package itself.

Run: python figures/readme_images.py
"""

from pathlib import Path

import numpy as np

import bifurc
from bifurc import plot

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    """Write docs/logistic.png: the logistic diagram with its Lyapunov exponent."""
    DOCS.mkdir(exist_ok=True)
    values = np.linspace(2.8, 4.0, 1200)
    d = bifurc.orbit_diagram(bifurc.maps.logistic, "r", values, 0.3, transient=2000, keep=600)
    s = bifurc.lyapunov_sweep(bifurc.maps.logistic, "r", values, 0.3, n=4000, transient=1000)
    fig = plot.diagram_with_lyapunov(d, s)
    fig.savefig(DOCS / "logistic.png", dpi=80)
    print(f"wrote {DOCS / 'logistic.png'}")


if __name__ == "__main__":
    main()
