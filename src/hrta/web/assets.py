"""Where the static files come from: the app's own and the parts of USWDS the pages use."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.staticfiles.finders import FileSystemFinder
from django.core.files.storage import Storage

# USWDS ships some 2,100 Material icon files that its stylesheet never refers to. WhiteNoise
# reads the headers of every static file when a server process starts (and a test client
# when it is made), so leaving them out makes both start several times faster.
UNUSED = ["material-icons", "material-icons-deprecated"]


class AssetFinder(FileSystemFinder):
    """STATICFILES_DIRS without the unused USWDS icon folders."""

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterable[tuple[str, Storage]]:
        return super().list([*(ignore_patterns or []), *UNUSED])
