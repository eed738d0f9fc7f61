"""Content text in the learner's language, with the fallback chain learner → country default → course default."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

#: language names shown in the "shown in …: not yet translated" note
LANGUAGE_LABELS = {"fr": _l("French"), "en": _l("English"), "ar": _l("Arabic")}
RTL = ("ar",)


def chain(learner: str, country_default: Optional[str], course_default: Optional[str],
          others: Iterable[str] = ()) -> list[str]:
    """The languages to try, in order, without repeats (any other language last, so something always shows)."""
    seen: list[str] = []
    for lang in (learner, country_default, course_default, *others):
        if lang and lang not in seen:
            seen.append(lang)
    return seen


@dataclass(frozen=True)
class Shown:
    """A text picked from a ``{lang: text}`` map, with the language it is in."""

    text: str
    lang: str
    is_fallback: bool

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in RTL else "ltr"

    @property
    def language_label(self) -> str:
        return str(LANGUAGE_LABELS.get(self.lang, self.lang))

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(escape(self.text))


def pick(texts: Optional[Mapping[str, str]], languages: list[str]) -> Shown:
    """The first non-empty text along ``languages`` (then any language at all)."""
    texts = texts or {}
    for lang in list(languages) + sorted(texts):
        value = texts.get(lang)
        if value:
            return Shown(value, lang, bool(languages) and lang != languages[0])
    return Shown("", languages[0] if languages else "fr", False)


def pick_html(texts: Optional[Mapping[str, str]], languages: list[str]) -> Shown:
    """Like ``pick`` for stored, already sanitized HTML."""
    shown = pick(texts, languages)
    return _HtmlShown(shown.text, shown.lang, shown.is_fallback)


class _HtmlShown(Shown):
    def __html__(self) -> str:
        return str(Markup(self.text))
