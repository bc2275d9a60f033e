"""Write every figure of ``bifurc.figures`` to figures/out/ (git-ignored).

Run: python figures/make_all.py [--quick] [--format png|pdf|svg] [--only NAME]
"""

import argparse
from pathlib import Path

from bifurc.figures import FIGURES, FORMATS, main_cli

OUT = Path(__file__).resolve().parent / "out"


def main() -> int:
    """Parse the options and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--format", choices=FORMATS, default="png")
    parser.add_argument("--only", action="append", help=f"a figure or prefix: {', '.join(FIGURES)}")
    parser.add_argument("--quick", action="store_true", help="reduced resolution")
    return main_cli(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
