"""Check the built site as a reader's browser shows it: headless Chromium driven by Playwright.

Usage::

    python docs/build.py && python docs/check_site.py

Serves docs/_build/html on a free localhost port and opens every page in Debian's chromium
(``/usr/bin/chromium``; ``apt-get install chromium``). A page passes when it loads without a
console error or a failed request, asks for nothing outside localhost (the site must work
offline), every image it shows is loaded (naturalWidth > 0), every math element was typeset by
MathJax without a TeX error (an unknown command, unbalanced braces) and no raw TeX (``\\(``,
``$$``, ``\\frac``...) is left in its visible text. Every internal link must answer 200 and its
``#anchor`` must exist on the target page. The search page must list the tutorial about cascades
for ``cascade``. Screenshots of the home page, a tutorial and the gallery go to
docs/_build/screenshots/. Exits 1 with the list of problems, 0 if none.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag

from playwright.sync_api import Page, sync_playwright

DOCS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: TeX left in visible text means MathJax did not run on it.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$"
                     r"|\\(?:frac|sqrt|begin|end|left|right|mathrm|mathbf|cdot|sum|int)\b")
#: Inspects a loaded page: waits for MathJax, then reports images, math, visible text, links and ids.
INSPECT = """async () => {
  if (document.querySelector('.math')) {
    for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  }
  const images = [...document.images];
  await Promise.all(images.map(img => { img.loading = 'eager'; return img.decode().catch(() => null); }));
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
      .forEach(e => e.remove());
  const hidden = document.createElement('div');
  hidden.style.cssText = 'position:absolute;left:-99999px;';
  hidden.appendChild(body);
  document.documentElement.appendChild(hidden);
  const text = body.innerText;
  hidden.remove();
  const math = [...document.querySelectorAll('.math')];
  return {
    broken: images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src),
    math: math.length,
    untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    texErrors: [...document.querySelectorAll('mjx-merror')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent)
      .concat([...document.querySelectorAll('mjx-assistive-mml mtext[mathcolor="red"]')]
        .map(e => 'undefined control sequence ' + e.textContent)),
    text: text,
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(e => e.name)),
  };
}"""


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``root`` on a free port of 127.0.0.1 in a daemon thread; return the server and base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser left mid-answer
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def pages(root: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (theme fragments under _static excluded)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not p.relative_to(root).parts[0].startswith("_"))


def check_page(page: Page, base: str, path: str, problems: list[str],
               links: dict[str, set[str]], ids: dict[str, set[str]]) -> None:
    """Open one page and append what is wrong with it to ``problems``."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} ({r.failure})")
            if r.url.startswith(base) else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(base + path, wait_until="load")
    found = page.evaluate(INSPECT)
    problems += [f"{path}: {e}" for e in errors]
    problems += [f"{path}: image not loaded: {src}" for src in found["broken"]]
    problems += [f"{path}: math not rendered by MathJax: {tex!r}" for tex in found["untypeset"]]
    problems += [f"{path}: MathJax could not read a formula: {error}" for error in found["texErrors"]]
    raw = list(RAW_TEX.finditer(found["text"]))
    if raw:
        context = found["text"][max(0, raw[0].start() - 30):raw[0].end() + 30].replace("\n", " ")
        problems.append(f"{path}: raw TeX in visible text ({len(raw)} places), first: ...{context}...")
    ids[path] = set(found["ids"])
    for href in found["links"]:
        if href.startswith(base):
            links.setdefault(href, set()).add(path)


def check_links(base: str, links: dict[str, set[str]], ids: dict[str, set[str]]) -> list[str]:
    """Every internal link answers 200 and, for a page we opened, its anchor exists there."""
    problems, status = [], {}
    for href, sources in sorted(links.items()):
        url, anchor = urldefrag(href)
        target = url[len(base):] or "index.html"
        if target.endswith("/"):
            target += "index.html"
        if url not in status:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status[url] = response.status
            except urllib.error.HTTPError as error:
                status[url] = error.code
        where = ", ".join(sorted(sources)[:3]) + (" ..." if len(sources) > 3 else "")
        if status[url] != 200:
            problems.append(f"link to {target} answers {status[url]} (from {where})")
        elif anchor and target in ids and anchor not in ids[target]:
            problems.append(f"link to {target}#{anchor}: no such anchor (from {where})")
    return problems


def check_search(page: Page, base: str, problems: list[str]) -> str | None:
    """Search for 'cascade': a tutorial page about cascades must be among the results; return its URL."""
    page.goto(base + "search.html?q=cascade", wait_until="load")
    try:
        page.wait_for_selector("#search-results .search-summary", timeout=60_000)
    except Exception:  # noqa: BLE001 (Playwright's timeout: reported as a problem, not a traceback)
        problems.append("search.html?q=cascade: the search never finished")
        return None
    results = page.eval_on_selector_all("#search-results ul.search li a",
                                        "as => as.map(a => [a.href, a.textContent])")
    for href, title in results:
        if "/tutorials/" in href and "cascade" in title.lower():
            return urldefrag(href)[0]
    problems.append(f"search.html?q=cascade: no tutorial about cascades among {len(results)} results")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=DOCS / "_build" / "html", help="the built site")
    parser.add_argument("--screenshots", type=Path, default=DOCS / "_build" / "screenshots")
    args = parser.parse_args(argv)
    root = args.html.resolve()
    if not (root / "index.html").exists():
        print(f"no site at {root}: run python docs/build.py first", file=sys.stderr)
        return 2
    server, base = serve(root)
    problems: list[str] = []
    links: dict[str, set[str]] = {}
    ids: dict[str, set[str]] = {}
    everything = pages(root)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            outside: list[str] = []

            def route(r: object) -> None:  # the site must not ask for anything outside localhost
                if r.request.url.startswith((base, "data:", "blob:", "about:")):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            for path in everything:
                page = context.new_page()
                check_page(page, base, path, problems, links, ids)
                page.close()
            problems += [f"request outside localhost: {url}" for url in sorted(set(outside))]
            page = context.new_page()
            tutorial = check_search(page, base, problems)
            args.screenshots.mkdir(parents=True, exist_ok=True)
            shots = {"home": base + "index.html", "gallery": base + "gallery/index.html"}
            if tutorial:
                shots["tutorial"] = tutorial
            for name, url in shots.items():
                page.goto(url, wait_until="load")
                page.evaluate(INSPECT)  # MathJax done, images decoded
                page.screenshot(path=str(args.screenshots / f"{name}.png"), full_page=True)
            browser.close()
        problems += check_links(base, links, ids)
    finally:
        server.shutdown()
    print(f"checked {len(everything)} pages and {len(links)} internal links in chromium")
    if problems:
        print(f"{len(problems)} problems:", *problems, sep="\n  ")
        return 1
    print(f"no problems; screenshots in {args.screenshots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
