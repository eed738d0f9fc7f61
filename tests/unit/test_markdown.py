"""Markdown rendering: the supported syntax comes out as HTML, and nothing executable ever does."""
from __future__ import annotations

import re

import pytest

from recosa_learn.content.markdown import find_images, render_markdown


def test_commonmark_tables_and_footnotes():
    html = render_markdown("## Title\n\n*em* **strong**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nFact[^1].\n\n[^1]: Source.\n")
    assert "<h2>Title</h2>" in html
    assert "<em>em</em> <strong>strong</strong>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnote-ref"' in html and '<li id="fn1" class="footnote-item">' in html


def test_links_get_rel_and_images_load_lazily_through_the_rewrite():
    html = render_markdown("[IOM](https://example.org) ![A road](images/road.svg)",
                           rewrite_image=lambda src: "/media/course/" + src)
    assert '<a href="https://example.org" rel="noopener noreferrer">IOM</a>' in html
    assert '<img src="/media/course/images/road.svg" alt="A road" loading="lazy">' in html


def test_raw_html_is_shown_as_text_unless_allowed():
    assert "&lt;b&gt;bold&lt;/b&gt;" in render_markdown("<b>bold</b> text")
    assert "<b>" not in render_markdown("<b>bold</b> text", allow_html=True)  # not on the allow-list
    assert "<strong>bold</strong>" in render_markdown("<strong>bold</strong> text", allow_html=True)


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<style>body{display:none}</style>",
    "<iframe src=\"https://example.org\"></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"jav&#x61;script:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "![x](javascript:alert(1))",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">x</a>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://example.org\"><input name=q></form>",
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "javascript:", "<svg", "<style", "<iframe", "data:",
             "<object", "<embed", "<form", "<input", "<math", "background"]


@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("allow_html", [False, True])
def test_no_xss_payload_survives(payload, allow_html):
    html = render_markdown(payload, allow_html=allow_html).lower()
    # escaped text (&lt;script&gt;) is harmless; a live tag, or a handler or URL inside a tag, is not
    tags = re.findall(r"<[^>]*>", html)
    for bad in FORBIDDEN:
        assert not any(bad in tag for tag in tags), (payload, html)


def test_find_images_reports_lines_and_alt_text():
    text = "## Title\n\nFirst line\nsecond ![A road](images/road.svg)\n\n![](images/empty.png)\n"
    assert [(i.src, i.alt, i.line) for i in find_images(text)] == [
        ("images/road.svg", "A road", 4), ("images/empty.png", "", 6)]
