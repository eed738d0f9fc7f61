"""Content hashes: per item and language, over the item's own translatable text (not its children's).

A translation is stale, or an adaptation override in conflict, when the hash it was written against changed.
"""
from __future__ import annotations

import hashlib
import json

from recosa_learn.quiz.model import Blank, Question

from .documents import CourseDoc
from .paths import TEXT_FIELDS, walk

HASH_LENGTH = 16


def _own_texts(kind: str, obj, lang: str) -> dict:
    """The item's translatable texts in ``lang``, including unkeyed parts (a question's typed answers)."""
    texts = {}
    for name in TEXT_FIELDS[kind]:
        value = getattr(obj, name, None) or {}
        if lang in value:
            texts[name] = value[lang]
    answers = []
    if isinstance(obj, (Question, Blank)):
        answers = [{"text": a.text.get(lang), "feedback": a.feedback.get(lang)} for a in obj.answers]
    if isinstance(obj, Question):
        answers += [{"feedback": a.feedback.get(lang)} for a in obj.numeric_answers]
    answers = [{k: v for k, v in a.items() if v is not None} for a in answers]
    if any(answers):
        texts["answers"] = answers
    return texts


def text_hash(texts: dict) -> str:
    """First 16 hex digits of SHA-256 over canonical JSON (sorted keys, UTF-8, no spaces)."""
    canonical = json.dumps(texts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def item_hash(kind: str, obj, lang: str):
    """The hash of one item in one language, or None when it has no text in that language."""
    texts = _own_texts(kind, obj, lang)
    return text_hash(texts) if texts else None


def item_hashes(course: CourseDoc) -> dict[str, dict[str, str]]:
    """``{path: {lang: hash}}`` for every item; the course itself is path ""."""
    result = {}
    for path, kind, obj in walk(course):
        hashes = {}
        for lang in course.languages:
            digest = item_hash(kind, obj, lang)
            if digest is not None:
                hashes[lang] = digest
        result[path] = hashes
    return result
