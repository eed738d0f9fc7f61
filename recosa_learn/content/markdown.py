"""Markdown → sanitized HTML, rendered once when content is imported or saved, and image discovery for checks.

CommonMark with tables and footnotes (markdown-it-py); raw HTML is escaped unless ``allow_html`` (GIFT
``[html]`` text). The HTML is always cleaned by nh3 against an explicit allow-list, whatever went in.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "code", "pre", "sup", "sub",
    "section", "br", "hr", "del", "s",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"style"},
    "td": {"style"},
    "li": {"id"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {
    "sup": {"footnote-ref"},
    "section": {"footnotes"},
    "hr": {"footnotes-sep"},
    "a": {"footnote-backref"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
}
URL_SCHEMES = {"http", "https", "mailto"}
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "template", "svg", "math", "noscript"}


def _parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html}).enable("table").enable("strikethrough")
    return md.use(footnote_plugin)


_PARSERS = {False: _parser(False), True: _parser(True)}


def render_markdown(text: str, allow_html: bool = False,
                    rewrite_image: Callable[[str], str] | None = None) -> str:
    """Render ``text`` to safe HTML; ``rewrite_image`` maps an image's relative path to the URL it is served at."""
    md = _PARSERS[bool(allow_html)]
    env: dict = {}
    tokens = md.parse(text or "", env)
    if rewrite_image is not None:
        for token in _inline_children(tokens):
            if token.type == "image":
                token.attrSet("src", rewrite_image(str(token.attrGet("src") or "")))
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes, classes and URL schemes; images load lazily."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


@dataclass(frozen=True)
class ImageRef:
    """An image used in Markdown: its source, alt text and 1-based line in the text."""

    src: str
    alt: str
    line: int


def find_images(text: str) -> list[ImageRef]:
    """Every Markdown image in ``text`` (raw HTML ``<img>`` is not an image: it is escaped)."""
    md = _PARSERS[False]
    found = []
    for block in md.parse(text or "", {}):
        if block.type != "inline" or not block.children:
            continue
        line = (block.map[0] if block.map else 0) + 1
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            elif token.type == "image":
                found.append(ImageRef(str(token.attrGet("src") or ""), token.content.strip(), line))
                line += token.content.count("\n")
            elif token.type == "text":
                line += token.content.count("\n")
    return found


def _inline_children(tokens):
    for token in tokens:
        if token.children:
            yield from _inline_children(token.children)
        yield token
