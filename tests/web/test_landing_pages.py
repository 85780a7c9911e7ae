"""The landing page's count of pages agrees with the progress indicator a respondent
then sees: the pages of questions, and one more to check and send."""

from __future__ import annotations

import re

from tests.web import respondents


def test_landing_page_counts_the_pages_the_indicator_shows(client, wave):
    landing = client.get(f"/w/{wave.slug}/").content.decode()
    said = int(re.search(r"There are (\d+) short pages of questions, then a page to check "
                         r"and send your answers\.", landing).group(1))
    respondents.start(client, wave)
    page = client.get(f"/w/{wave.slug}/page/1/").content.decode()
    steps = len(re.findall(r'class="usa-step-indicator__segment[ "]', page))
    assert steps == said + 1
