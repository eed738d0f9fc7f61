"""Typed, position-aware reading of YAML mappings: every wrong field becomes a ``Problem``, none stops reading."""
from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .problems import ERROR, WARNING, Problem
from .yamlsource import LineDict, LineList

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_MISSING = object()


@dataclass
class Source:
    """The file being read (path relative to the tree root), the course's languages, and the problem list."""

    file: str
    problems: list[Problem]
    languages: tuple[str, ...] = ("fr",)
    required_languages: tuple[str, ...] = ("fr",)
    default_language: str = "fr"

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message, ERROR))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message, WARNING))

    def with_file(self, file: str, **changes) -> Source:
        """The same course settings for another file (or other languages, e.g. a GIFT quiz's single one)."""
        return dataclasses.replace(self, file=file, **changes)


def valid_key(key) -> bool:
    """A key is a lower-case ASCII slug of at most 64 characters."""
    return isinstance(key, str) and bool(KEY_RE.match(key))


def suggestion(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


def check_unique(src: Source, entries: list[tuple[str, int]], what: str) -> None:
    """Report keys repeated among siblings, pointing at the repetition and the first use."""
    seen: dict[str, int] = {}
    for key, line in entries:
        if key is None:
            continue
        if key in seen:
            src.error(line, f'duplicate {what} key "{key}" (first used at line {seen[key]})')
        else:
            seen[key] = line


class Reader:
    """Reads the fields of one mapping, reporting problems with ``what`` (e.g. 'question "q1"') as context."""

    def __init__(self, src: Source, mapping: LineDict, what: str, allowed: Iterable[str]):
        self.src = src
        self.m = mapping
        self.what = what
        self.allowed = tuple(allowed)
        for key in mapping:
            if key not in self.allowed:
                hint = suggestion(key, self.allowed)
                src.error(mapping.line_of(key), f'unknown field "{key}" in {what}{hint}')

    def line(self, name: str | None = None) -> int:
        """The line of field ``name`` (or of the mapping)."""
        return self.m.line if name is None else self.m.line_of(name)

    def has(self, name: str) -> bool:
        return name in self.m and self.m[name] is not None

    def _get(self, name: str, required: bool):
        value = self.m.get(name)
        if value is None:
            if required:
                self.src.error(self.m.line, f'missing required field "{name}" in {self.what}')
            return _MISSING
        return value

    def key(self) -> str | None:
        """The ``key`` field, checked for slug syntax."""
        value = self._get("key", True)
        if value is _MISSING:
            return None
        if not valid_key(value):
            self.src.error(
                self.line("key"),
                f'invalid key "{value}" in {self.what}: use lower-case letters, digits and "-", '
                "starting with a letter or digit, at most 64 characters",
            )
            return None
        return value

    def text(self, name: str, required: bool = True, languages: Iterable[str] | None = None) -> dict:
        """A translatable field ``{lang: text}``; ``languages`` must all be present (default: required ones)."""
        value = self._get(name, required)
        if value is _MISSING:
            return {}
        return read_i18n(
            self.src, value, self.line(name), f'"{name}" of {self.what}',
            self.src.required_languages if languages is None else tuple(languages),
        )

    def string(self, name: str, required: bool = True, choices: Iterable[str] | None = None) -> str | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            self.src.error(self.line(name), f'"{name}" of {self.what} must be a non-empty text')
            return None
        if choices is not None and value not in choices:
            options = ", ".join(choices)
            hint = suggestion(value, choices)
            self.src.error(self.line(name), f'unknown {name} "{value}" in {self.what}: use one of {options}{hint}')
            return None
        return value

    def boolean(self, name: str, default: bool | None = None, required: bool = False) -> bool | None:
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be true or false')
            return default
        return value

    def integer(self, name: str, default=None, minimum: int | None = None, required: bool = False):
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be a whole number')
            return default
        if minimum is not None and value < minimum:
            self.src.error(self.line(name), f'"{name}" of {self.what} must be at least {minimum}')
            return default
        return value

    def number(self, name: str, default=None, low: float | None = None, high: float | None = None,
               required: bool = False):
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be a number')
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be between {low:g} and {high:g}')
            return default
        return float(value)

    def mapping(self, name: str, required: bool = False) -> LineDict | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, LineDict):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be a mapping ("field: value" lines)')
            return None
        return value

    def items(self, name: str, required: bool = False, minimum: int = 0) -> list[tuple[LineDict, int]]:
        """A list of mappings as ``(mapping, line)``; other entries are reported and skipped."""
        value = self._get(name, required)
        if value is _MISSING:
            if required is False and minimum:
                self.src.error(self.m.line, f'{self.what} needs "{name}" with at least {minimum} entries')
            return []
        if not isinstance(value, LineList):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be a list ("- " lines)')
            return []
        result = []
        for item, line in zip(value, value.lines):
            if isinstance(item, LineDict):
                result.append((item, line))
            else:
                self.src.error(line, f'each entry of "{name}" in {self.what} must be a mapping')
        if len(value) < minimum:
            self.src.error(self.line(name), f'"{name}" of {self.what} needs at least {minimum} entries')
        return result

    def strings(self, name: str, required: bool = False) -> list[str]:
        """A list of non-empty texts."""
        value = self._get(name, required)
        if value is _MISSING:
            return []
        if not isinstance(value, LineList):
            self.src.error(self.line(name), f'"{name}" of {self.what} must be a list ("- " lines)')
            return []
        result = []
        for item, line in zip(value, value.lines):
            if isinstance(item, str) and item.strip():
                result.append(item)
            else:
                self.src.error(line, f'each entry of "{name}" in {self.what} must be a non-empty text')
        return result


def read_i18n(src: Source, value, line: int, what: str, languages: Iterable[str]) -> dict:
    """Check a ``{lang: text}`` mapping: known languages, non-empty texts, ``languages`` all present."""
    if not isinstance(value, LineDict):
        src.error(line, f"{what} must be a mapping from language to text, e.g. {{fr: \"…\"}}")
        return {}
    result = {}
    for lang, text in value.items():
        if lang not in src.languages:
            hint = suggestion(lang, src.languages)
            src.error(value.line_of(lang), f'{what}: language "{lang}" is not in the course languages{hint}')
            continue
        if not isinstance(text, str) or not text.strip():
            src.error(value.line_of(lang), f"{what}: the {lang} text must be a non-empty text")
            continue
        result[lang] = text
    missing = [lang for lang in languages if lang not in value]
    if missing:
        src.error(line, f"{what}: missing translation {', '.join(missing)}")
    return result
