"""Catalog upkeep for ``make translations``: English msgstrs mirror the English msgids; report what is missing.

Run as ``python -m recosa_learn.core.catalogs``; exits 1 when a French or Arabic message lacks a translation.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _missing(message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return not all(message.string)
    return not message.string


def fill_english(path: Path) -> int:
    """Copy each English msgid into its empty msgstr (plural forms too); returns how many were filled."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id or not _missing(message):
            continue
        if isinstance(message.id, (tuple, list)):
            message.string = (message.id[0], message.id[1])
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=120)
    return filled


def report(lang: str) -> list[str]:
    """msgids of ``lang`` that are untranslated or fuzzy."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return [str(m.id) for m in catalog if m.id and (_missing(m) or m.fuzzy)]


def main() -> int:
    filled = fill_english(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    print(f"en: {filled} messages filled from their msgids")
    status = 0
    for lang in ("fr", "ar"):
        missing = report(lang)
        print(f"{lang}: {len(missing)} untranslated or fuzzy")
        for msgid in missing[:20]:
            print(f"  - {msgid[:100]}")
        status |= bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main())
