"""Lesson images are served by content hash, cached for a year, SVG without scripts."""
from __future__ import annotations

import sqlalchemy as sa

from recosa_learn.content.models import Media


def test_media_is_served_with_cache_and_svg_policy(content, client, db, h):
    assert content("import", h.EXAMPLE_TREE).exit_code == 0
    media = db.session.scalar(sa.select(Media).where(Media.filename == "route.svg"))
    response = client.get(f"/content/media/{media.sha256}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data == (h.EXAMPLE_TREE / "example-course/basics/images/route.svg").read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"] == f'"{media.sha256}"'
    again = client.get(f"/content/media/{media.sha256}.svg", headers={"If-None-Match": f'"{media.sha256}"'})
    assert again.status_code == 304 and "immutable" in again.headers["Cache-Control"]


def test_raster_media_keeps_the_site_policy(client, db):
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
    db.session.add(Media(sha256="a" * 64, filename="dot.png", content_type="image/png", data=png))
    db.session.commit()
    response = client.get(f"/content/media/{'a' * 64}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get(f"/content/media/{'a' * 64}.svg").status_code == 404  # wrong extension
    assert client.get(f"/content/media/{'b' * 64}.png").status_code == 404
    assert client.get("/content/media/not-a-hash.png").status_code == 404
    assert client.get(f"/content/media/{'a' * 64}.exe").status_code == 404
