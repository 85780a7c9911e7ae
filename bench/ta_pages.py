"""Benchmark: the TA pages of the web app on a wave of a given size.

    python bench/ta_pages.py [--sizes demo,10000] [--repeat 3]

For each wave (`demo`: the 161 responses of `hrta.demo.demo_responses`; a number: that
many responses of `hrta.demo.synthetic_responses(instrument, n, seed=1)`) it loads the
wave into a fresh SQLite database (`import_responses`), marks every third response as
agreeing to be contacted and gives every fifth a TA request (half of them delivered), and
times through Django's test client:

- plan: a respondent's plan page (the plan made from the stored answers each time);
  thanks: the thank-you page with its plan box; print: the one-page printable page;
  pdf: the PDF (both laid out by WeasyPrint, fitted to one page);
- staff_plan: a response's plan as staff see it;
- demand cold / warm: the demand page with nothing cached, then cached; charts: its three
  charts drawn to SVG;
- cohorts: the cohorts page, and with contact details shown (decrypted);
- requests: the TA requests page with its counts and median; export: the CSV.

Seconds are medians of --repeat runs (the plan pages: of 10 responses each run). Results:
bench/results/ta_pages.json. Targets (2 cores), for the demo wave: a plan page within
0.2 s, its PDF within 2 s, a warm demand page within 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from webwave import load_wave, median_seconds

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "ta_pages.json"
TARGETS = {"plan": 0.2, "pdf": 2.0, "demand_warm": 0.2}
PLANS = 10


def measure(size: str, repeat: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from hrta.report import charts
    from hrta.web.assistance.services import request_ta, update_request
    from hrta.web.contacts.models import Contact
    from hrta.web.surveys.models import Response

    wave, responses, admin, loaded = load_wave(size, f"bench-ta-{size}")
    sent = list(Response.objects.filter(wave=wave, status=Response.Status.SUBMITTED)
                .order_by("id"))
    for index, response in enumerate(sent):
        if index % 3 == 0:
            contact, _ = Contact.objects.get_or_create(response_key=response.public_id,
                                                       defaults={"wave_slug": wave.slug})
            contact.may_contact = True
            contact.details = {"ta_name": f"Org {index}", "ta_email": f"o{index}@example.org"}
            contact.save()
        if index % 5 == 0:
            made = request_ta(response=response, areas=["funding"], message="", name="",
                              email="x@example.org", may_contact=False)
            if index % 10 == 0:
                update_request(request=made, user=admin, status="delivered",
                               on=timezone.localdate())

    staff = Client()
    staff.force_login(admin)

    def get(client: Client, url: str, method: str = "get") -> Callable[[], object]:
        def run() -> object:
            reply = getattr(client, method)(url, {"action": "contacts"} if method == "post"
                                            else None)
            assert reply.status_code == 200, (url, reply.status_code)
            return reply
        return run

    def respondent(response: Response) -> Client:
        client = Client()
        session = client.session
        session[f"hrta.response.{wave.slug}"] = response.pk
        session.save()
        return client

    sample = sent[:PLANS]
    sessions = [respondent(r) for r in sample]

    def each(path: str) -> Callable[[], object]:
        def run() -> None:
            for client in sessions:
                get(client, f"/w/{wave.slug}/{path}")()
        return run

    def forget() -> None:
        cache.clear()
        charts._DRAWN.clear()

    charts.to_svg(charts.bar_spec([charts.Bar("warm-up", 50.0, "50%")], description="x"),
                  prefix="warm")
    get(sessions[0], f"/w/{wave.slug}/plan/ta-plan.pdf")()  # WeasyPrint and fonts loaded
    result: dict[str, Any] = {"responses": responses.total, "load_seconds": round(loaded, 2)}
    for name, path in (("plan", "plan/"), ("thanks", "thanks/"), ("print", "plan/print/"),
                       ("pdf", "plan/ta-plan.pdf")):
        result[name] = median_seconds(each(path), repeat) / len(sessions)
    result["staff_plan"] = median_seconds(
        lambda: [get(staff, f"/staff/plans/{r.public_id}/")() for r in sample],
        repeat) / len(sample)
    demand = f"/staff/waves/{wave.slug}/demand/"
    result["demand_cold"] = median_seconds(get(staff, demand), repeat, forget)
    result["demand_warm"] = median_seconds(get(staff, demand), repeat)
    result["demand_charts"] = median_seconds(
        lambda: [get(staff, f"{demand}{key}.svg")() for key in ("areas", "formats",
                                                                 "receiving")],
        repeat, lambda: charts._DRAWN.clear())
    cohorts = f"/staff/waves/{wave.slug}/cohorts/"
    result["cohorts"] = median_seconds(get(staff, cohorts), repeat)
    result["cohorts_with_contacts"] = median_seconds(get(staff, cohorts, "post"), repeat)
    result["requests"] = median_seconds(get(staff, f"/staff/requests/?wave={wave.slug}"), repeat)
    result["requests_export"] = median_seconds(
        get(staff, f"/staff/requests/export.csv?wave={wave.slug}"), repeat)
    result["ta_requests"] = wave.ta_requests.count()
    result["consenting"] = Contact.objects.filter(wave_slug=wave.slug,
                                                  may_contact=True).count()
    return {key: round(value, 3) if isinstance(value, float) else value
            for key, value in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["HRTA_DATA_DIR"] = tempfile.mkdtemp(prefix="hrta-bench-ta-")
    sys.path.insert(0, str(BENCH.parent / "src"))
    from hrta.web.commands import prepare

    prepare()
    results = {size: measure(size, args.repeat) for size in args.sizes.split(",")}
    rows = list(dict.fromkeys(key for values in results.values() for key in values))
    print(f"{'seconds (median of ' + str(args.repeat) + ')':<32}"
          + "".join(f"{size:>12}" for size in results))
    for key in rows:
        print(f"{key:<32}" + "".join(f"{results[size].get(key, ''):>12}" for size in results))
    for key, limit in TARGETS.items():
        if "demo" in results:
            value = results["demo"][key]
            print(f"target demo {key} <= {limit} s: {'met' if value <= limit else 'MISSED'}"
                  f" ({value} s)")
    from hrta.files import write_text_atomic

    write_text_atomic(RESULTS, json.dumps(results, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
