"""Test helper: open published pages in headless Chromium, as a person would, and print them.

Chromium is the distribution's package (``/usr/bin/chromium``), driven through the
DevTools protocol by Playwright for Python with ``executable_path`` pointing at it;
Playwright never downloads a browser here.  Each :class:`Browser` starts Chromium with
a fresh profile and the flags this closed machine needs, and refuses every request
that is not a ``file:`` load while recording it, so a page that would reach the
network fails its test instead of waiting for a timeout.

Reused by the guide tests and, later, by the documents and the supervision report::

    with Browser() as browser:
        seen = browser.open(path)            # text, lang, console errors, requests
        pdf = browser.print_pdf(path, out)   # A4, backgrounds printed
    pages = pdf_to_images(out, folder)       # poppler's pdftoppm
    text = pdf_text(out)                     # poppler's pdftotext

Run as a script to take a screenshot for the docs::

    python tests/browser.py site/construction_permit.html docs/guide-construction-permit.png
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

#: Flags for Chromium as root on a machine without network: no sandbox (root), and no
#: background traffic (component updates, sync, first-run pages, QUIC probes).
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


def chromium_path() -> str:
    """The system Chromium: the first of chromium, chromium-browser, google-chrome on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed")


@dataclass
class PageVisit:
    """What a person's browser saw when it opened a page."""

    url: str
    title: str
    lang: str
    text: str
    headings: list[str]
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def network_requests(self) -> list[str]:
        """Requests for anything that is not a local file."""
        return [url for url in self.requests if not url.startswith(("file:", "data:"))]


class Browser:
    """Headless Chromium with a fresh profile; use it as a context manager."""

    def __init__(self, *, width: int = 1000, height: int = 1400) -> None:
        self._viewport = {"width": width, "height": height}
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._playwright: Any = None
        self._context: Any = None

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self._playwright = sync_playwright().start()
        try:
            # launch_persistent_context: the profile folder is ours and new, so no state
            # (cookies, cache, service workers) carries over between test runs.
            self._context = self._playwright.chromium.launch_persistent_context(
                self._profile.name,
                executable_path=chromium_path(),
                headless=True,
                args=list(CHROMIUM_FLAGS),
                viewport=self._viewport,
                offline=True,
            )
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._context is not None:
            self._context.close()
            self._context = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def _page(self, visit: PageVisit | None = None) -> Any:
        if self._context is None:
            raise RuntimeError("use Browser() in a with statement")
        page = self._context.new_page()
        if visit is not None:
            page.on(
                "console",
                lambda m: visit.console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: visit.console_errors.append(str(e)))
            page.on("request", lambda r: visit.requests.append(r.url))

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                if visit is not None:
                    visit.refused.append(url)
                r.abort()

        page.route("**/*", route)
        return page

    def open(self, path: Path) -> PageVisit:
        """Load a local page and report what it rendered and what it asked for."""
        visit = PageVisit(url=path.resolve().as_uri(), title="", lang="", text="", headings=[])
        page = self._page(visit)
        try:
            page.goto(visit.url, wait_until="load")
            visit.title = page.title()
            visit.lang = page.evaluate("document.documentElement.lang")
            visit.text = page.inner_text("body")
            visit.headings = page.eval_on_selector_all(
                "h1, h2", "nodes => nodes.map(n => n.innerText)"
            )
        finally:
            page.close()
        return visit

    def print_pdf(self, path: Path, out: Path) -> Path:
        """Print a local page to an A4 PDF as the print stylesheet lays it out."""
        page = self._page()
        try:
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            out.write_bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True))
        finally:
            page.close()
        return out

    def screenshot(self, path: Path, out: Path, *, height: int | None = None) -> Path:
        """A PNG of a local page: the first ``height`` CSS pixels, or the whole page."""
        page = self._page()
        try:
            page.goto(path.resolve().as_uri(), wait_until="load")
            if height is None:
                page.screenshot(path=str(out), full_page=True)
            else:
                width = self._viewport["width"]
                page.screenshot(
                    path=str(out), clip={"x": 0, "y": 0, "width": width, "height": height}
                )
        finally:
            page.close()
        return out


def pdf_text(pdf: Path) -> str:
    """The text of a PDF as poppler's ``pdftotext`` extracts it (UTF-8, layout kept)."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def pdf_pages(pdf: Path) -> int:
    """Number of pages of a PDF, from poppler's ``pdfinfo``."""
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ValueError(f"pdfinfo did not report the pages of {pdf}")


def pdf_to_images(pdf: Path, folder: Path, *, dpi: int = 40) -> list[Path]:
    """Rasterise every page with poppler's ``pdftoppm`` as greyscale PGM files, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(folder / "page")],
        capture_output=True,
        check=True,
    )
    return sorted(folder.glob("page-*.pgm"))


def ink(pgm: Path) -> float:
    """Share of a greyscale page's pixels that are not white (0 = blank page)."""
    data = pgm.read_bytes()
    # Binary PGM: "P5", width, height, max value, then one byte per pixel.
    fields = data.split(maxsplit=4)
    if fields[0] != b"P5" or int(fields[3]) > 255:
        raise ValueError(f"{pgm} is not an 8-bit binary PGM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[-width * height :]
    return sum(1 for p in pixels if p < 200) / len(pixels)


def main(argv: list[str]) -> int:
    """``python tests/browser.py PAGE.html OUT.png [HEIGHT]``: a screenshot for the docs."""
    if len(argv) not in (2, 3):
        print(main.__doc__, file=sys.stderr)
        return 2
    height = int(argv[2]) if len(argv) == 3 else 1400
    with Browser() as browser:
        browser.screenshot(Path(argv[0]), Path(argv[1]), height=height)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
