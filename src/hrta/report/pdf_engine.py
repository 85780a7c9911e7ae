"""WeasyPrint turning the report's print page into a tagged PDF, in this process or as the
second process `pdf.prepare()` starts (`python -m hrta.report.pdf_engine`).

As a process it first loads WeasyPrint and makes a one-line PDF (which loads the fonts),
then reads one job from its standard input (a pickle of the page, its pictures and the
path to write, from the process that started it); an empty input means no job, and it
exits. It imports nothing else of hrta, so it is ready as soon as WeasyPrint is.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

PDF_VARIANT = "pdf/ua-1"


def write_page(page: str, pictures: dict[str, bytes], path: Path | str | IO[bytes]) -> None:
    """Write `page` as a PDF to `path`; its <img> sources name `pictures` (JPEG), and
    nothing else is fetched: a missing picture is an error, not a blank space."""
    import weasyprint  # slow to import (Pango, fonts); only PDF output needs it

    with _uncollected():
        html = weasyprint.HTML(string=page, url_fetcher=_fetcher(pictures))
        html.write_pdf(path, pdf_variant=PDF_VARIANT)


@contextmanager
def _uncollected() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: WeasyPrint's boxes and styles are some
    million objects, which each collection walks again, a fifth of a PDF's time (1.0 of
    5.8 CPU seconds for the demo report). What they leave, mostly cycles, goes at the next
    collection after; the engine process exits first."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fetcher(pictures: dict[str, bytes]) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Pictures(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url not in pictures:
                raise ValueError(f"the page names a picture it was not given: {url}")
            return URLFetcherResponse(url, pictures[url], {"Content-Type": "image/jpeg"})

    return Pictures(fail_on_errors=True)


# A line in the report's type: making it loads the fonts and the last of WeasyPrint's
# modules while the caller is still analysing.
_WARM_UP = ('<html lang="en"><body style="font: 10pt \'Liberation Sans\'">'
            '<p>Report <b>12 of 61</b>, 20%</p></body></html>')


def main() -> None:
    gc.disable()  # for good: this process makes one PDF (see `_uncollected`)
    write_page(_WARM_UP, {}, io.BytesIO())
    job = sys.stdin.buffer.read()
    if not job:
        return
    # Trusted: written to this pipe by the process that started this one.
    page, pictures, path = pickle.loads(job)
    write_page(page, pictures, path)
    # The caller waits for this process to end: it ends now, the PDF written and closed,
    # rather than after the interpreter's last collection of WeasyPrint's boxes (a quarter
    # of a second for the demo report).
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
