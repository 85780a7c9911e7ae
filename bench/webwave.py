"""What the web-page benchmarks share: timing a call, and a wave loaded with an admin."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(run: Callable[[], object], repeat: int,
                   before: Callable[[], None] | None = None) -> float:
    """Median wall time of `repeat` calls of `run`, calling `before` (untimed) before each."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_wave(size: str, slug: str) -> tuple[Any, Any, Any, float]:
    """A new wave of the demo (`size` "demo") or N synthetic responses, and an admin user.

    Returns the wave, the ResponseSet, the admin and the import's seconds. Django must be set up.
    """
    from django.contrib.auth import get_user_model

    from hrta.demo import demo_responses, synthetic_responses
    from hrta.instrument import load_bundled
    from hrta.web.accounts.roles import assign_role
    from hrta.web.surveys.models import Wave
    from hrta.web.surveys.services import import_responses

    instrument = load_bundled()
    responses = (demo_responses(instrument) if size == "demo"
                 else synthetic_responses(instrument, int(size), seed=1))
    wave = Wave.objects.create(slug=slug, title=f"Bench {size}", instrument_id=instrument.id,
                               instrument_version=instrument.version)
    start = time.perf_counter()
    import_responses(wave=wave, responses=responses, source_name="bench")
    loaded = time.perf_counter() - start
    users = get_user_model()
    admin = users.objects.filter(username="bench-admin").first() or \
        users.objects.create_user("bench-admin")
    assign_role(admin, "admin")
    return wave, responses, admin, loaded
