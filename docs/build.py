"""Build bifurc's documentation site into docs/_build/html/, with warnings as errors.

Usage::

    python docs/build.py            # build (tutorials executed, figures drawn at quick size)
    python docs/build.py --serve    # build, then serve it on http://localhost:8000/
    python docs/build.py --full     # the gallery at full size (minutes per figure)

Needs the ``docs`` extra: ``pip install -e '.[docs]'``. Exits with Sphinx's status: a warning
(a broken reference, a tutorial that raises) fails the build.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
HTML = DOCS / "_build" / "html"


def build(full: bool = False) -> int:
    """Run sphinx-build with -W --keep-going (every warning reported, then a failing status)."""
    env = dict(os.environ, MPLBACKEND="Agg")
    if full:
        env["BIFURC_DOCS_FULL"] = "1"
    else:
        env.pop("BIFURC_DOCS_FULL", None)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
               "-d", str(DOCS / "_build" / "doctrees"), str(DOCS), str(HTML)]
    return subprocess.call(command, env=env)


def serve(port: int) -> None:
    """Serve the built site on localhost until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving {HTML} on http://localhost:{port}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help="serve the site on localhost after building")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    parser.add_argument("--full", action="store_true", help="draw the gallery's figures at full size")
    args = parser.parse_args(argv)
    status = build(full=args.full)
    if status == 0:
        print(f"built {HTML / 'index.html'}")
        if args.serve:
            serve(args.port)
    return status


if __name__ == "__main__":
    sys.exit(main())
