"""A first visit to a lesson or a question stays light: HTML + CSS + JS at most 40 KB gzipped."""
from __future__ import annotations

import gzip
import re

BUDGET = 40 * 1024


def _weight(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data()
    total = len(gzip.compress(html, 9))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', html):
        response = client.get(asset.decode().replace("&amp;", "&"), headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        total += len(response.get_data())
    return total


def test_first_visit_weight(example, learner, lh):
    client, _user = learner("MA", language="ar")
    lh.post(client, "/courses/example-course/enrol")
    assert _weight(client, "/courses/example-course/basics/words") <= BUDGET
    attempt = lh.attempt_id(lh.post(client, "/courses/example-course/basics/check/start"))
    assert _weight(client, f"/attempts/{attempt}/1") <= BUDGET
