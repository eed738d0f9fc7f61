"""Checks on lesson Markdown: images must exist inside the course, be of a web format and have alt text."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .fields import Source
from .markdown import find_images

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".svg", ".gif")
_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^\\")


def check_images(src: Source, text: str, base_dir: Path, boundary: Path, first_line: int = 1) -> list[str]:
    """Report broken or undescribed images; return the valid ones as paths relative to ``base_dir``.

    ``boundary`` is the folder images may not leave (the course); ``first_line`` is the line of the text's
    first line in ``src.file`` (1 for a Markdown file, further down for Markdown inside YAML).
    """
    found: list[str] = []
    for ref in find_images(text):
        line = first_line + ref.line - 1
        if not ref.alt:
            src.error(line, f'image "{ref.src}" has no description (alt text): write ![description]({ref.src})')
        if not ref.src or _URL_RE.match(ref.src):
            src.error(line, f'image "{ref.src}" must be a relative path to a file of the course, '
                            'e.g. images/pitch.svg')
            continue
        relative = posixpath.normpath(ref.src.split("#")[0].split("?")[0])
        target = (base_dir / relative).resolve()
        if not target.is_relative_to(boundary.resolve()):
            src.error(line, f'image "{ref.src}" points outside the course folder')
        elif not target.is_file():
            src.error(line, f'image "{ref.src}" not found')
        elif target.suffix.lower() not in IMAGE_EXTENSIONS:
            src.error(line, f'image "{ref.src}" is not a web image ({", ".join(IMAGE_EXTENSIONS)})')
        elif relative not in found:
            found.append(relative)
    return found
