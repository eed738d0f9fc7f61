"""From the database back to files: a course as course_content/ files, a quiz as GIFT, and a GIFT bank into a quiz.

``export_course`` writes the current base version and, as adaptation files, the current country versions
(reconstructed as the overrides that turn the base into each country's course: hidden items, replaced texts,
raised pass marks, added items). Import → export → import changes nothing.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from .documents import AdaptationDoc, CourseDoc, Override
from .fields import Source
from .gift import GiftExportError, write_gift
from .hashing import item_hashes
from .importer import (
    KINDS,
    Counts,
    build_version,
    compare_items,
    normalise_images,
    stored_lessons,
)
from .models import Activity, Course, CourseVersion, Media
from .overlay import resolve
from .parser import read_gift
from .paths import TEXT_FIELDS, locate, walk
from .problems import Problem
from .services import (
    current_versions,
    find_course,
    load_version_tree,
    question_from_row,
    version_to_doc,
)
from .writer import write_course

ADDABLE = ("module", "activity", "question")


class ContentError(Exception):
    """A clear message for the author (unknown course, unknown quiz, language not offered…)."""


class GiftRefused(Exception):
    """The GIFT file has problems (``Problem`` objects with the file's lines): nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the GIFT file")
        self.problems = problems


# --- Looking things up ------------------------------------------------------------------------------------------

def _course(key: str) -> Course:
    course = find_course(key)
    if course is None:
        raise ContentError(f'unknown course "{key}"')
    return course


def _base_tree(course: Course) -> CourseVersion:
    versions = current_versions(course)
    if None not in versions:
        raise ContentError(f'course "{course.key}" has no published version: import it first')
    return load_version_tree(versions[None].id)


def find_quiz(version: CourseVersion, quiz: str) -> Activity:
    """The quiz activity at "module/activity", or with that activity key when only one has it."""
    activities = [a for m in version.modules for a in m.activities]
    found = [a for a in activities if a.path == quiz] or [a for a in activities if a.key == quiz]
    if not found:
        quizzes = ", ".join(a.path for a in activities if a.type == "quiz") or "none"
        raise ContentError(f'unknown quiz "{quiz}" in course "{version.course.key}" (quizzes: {quizzes})')
    if len(found) > 1:
        raise ContentError(f'several activities are called "{quiz}": give its path, e.g. {found[0].path}')
    if found[0].type != "quiz":
        raise ContentError(f'"{found[0].path}" is a lesson, not a quiz')
    return found[0]


# --- Adaptations from versions ----------------------------------------------------------------------------------

def _changed(old: dict, new: dict) -> dict:
    return {lang: text for lang, text in (new or {}).items() if (old or {}).get(lang) != text}


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def reconstruct_adaptation(base: CourseDoc, country_doc: CourseDoc, country: str) -> AdaptationDoc:
    """The adaptation that turns ``base`` into ``country_doc``: ``resolve(base, result)`` equals ``country_doc``."""
    hashes = item_hashes(base)
    adaptation = AdaptationDoc(country=country, title=_changed(base.title, country_doc.title),
                               summary=_changed(base.summary, country_doc.summary))
    before = {path: (kind, obj) for path, kind, obj in walk(base) if path}
    after = {path: (kind, obj) for path, kind, obj in walk(country_doc) if path}
    hidden = {path for path in before if path not in after}
    for path in before:
        if path in hidden and _parent(path) not in hidden:
            adaptation.overrides.append(Override(target=path, hide=True))
    for path, (kind, obj) in before.items():
        if path in hidden:
            continue
        new = after[path][1]
        names = ("title",) if kind == "activity" and obj.type != "lesson" else TEXT_FIELDS[kind]
        replace = {name: changed for name in names
                   if (changed := _changed(getattr(obj, name, {}), getattr(new, name, {})))}
        settings = {}
        if kind == "activity" and obj.quiz is not None and new.quiz is not None:
            for name in ("pass_mark", "attempts"):
                if getattr(new.quiz.settings, name) != getattr(obj.quiz.settings, name):
                    settings[name] = getattr(new.quiz.settings, name)
        if replace or settings:
            languages = {lang for texts in replace.values() for lang in texts}
            base_hash = {lang: h for lang, h in hashes.get(path, {}).items() if lang in languages}
            adaptation.overrides.append(Override(target=path, replace=replace, settings=settings,
                                                 base_hash=base_hash))
    for path, (kind, obj) in after.items():
        if path in before or (_parent(path) and _parent(path) not in before) or kind not in ADDABLE:
            continue
        siblings = locate(country_doc, path).siblings
        index = siblings.index(obj)
        if index == 0 and kind in ("activity", "question"):  # first in its module or quiz
            adaptation.overrides.append(Override(first_in=_parent(path), add=copy.deepcopy(obj)))
            continue
        if index > 0:
            anchor = siblings[index - 1].key
        else:  # the first module: anchored after a base module that is hidden
            parent = locate(base, _parent(path)).obj if _parent(path) else base
            anchor = next((item.key for item in _children(parent, kind)), None)
            if anchor is None:
                continue
        prefix = f"{_parent(path)}/" if _parent(path) else ""
        adaptation.overrides.append(Override(after=prefix + anchor, add=copy.deepcopy(obj)))
    return adaptation


def _children(parent, kind: str) -> list:
    from .paths import child_lists

    return next((items for k, items in child_lists(parent) if k == kind), [])


# --- Course export ----------------------------------------------------------------------------------------------

def export_course(course_key: str, dest_dir) -> Path:
    """Write the course's current base version and its countries' adaptations as ``dest_dir/<key>/``.

    :raises ContentError: unknown course, or a course that was never imported.
    """
    course = _course(course_key)
    base = _base_tree(course)
    doc = version_to_doc(base)
    files: dict[str, str] = {}  #: path in the course folder -> "<sha256>.<ext>"
    for module in base.modules:
        for activity in module.activities:
            for names in ((activity.settings or {}).get("media") or {}).values():
                files.update({f"{module.key}/{rel}": name for rel, name in names.items()})
    for country, version in sorted((c, v) for c, v in current_versions(course).items() if c is not None):
        tree = load_version_tree(version.id)
        origin = doc if version.base_version_id == base.id else version_to_doc(load_version_tree(version.base_version_id))
        adaptation = reconstruct_adaptation(origin, version_to_doc(tree), country)
        folder = f"adaptations/{country.lower()}"
        images = []
        for module in tree.modules:
            for activity in module.activities:
                base_activity = origin.activity(activity.path)
                for lang, names in ((activity.settings or {}).get("media") or {}).items():
                    if base_activity is not None and base_activity.body.get(lang) == (activity.body or {}).get(lang):
                        continue
                    for rel, name in names.items():
                        files[f"{folder}/{rel}"] = name
                        images.append(rel)
        adaptation.images = sorted(set(images))
        doc.adaptations.append(adaptation)
    written = write_course(doc, dest_dir)
    digests = {name.split(".")[0] for name in files.values()}
    data = dict(db.session.execute(select(Media.sha256, Media.data).where(Media.sha256.in_(sorted(digests)))).all())
    for rel, name in sorted(files.items()):
        target = written / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data[name.split(".")[0]])
    return written


# --- GIFT --------------------------------------------------------------------------------------------------------

def gift_export(course_key: str, quiz: str, lang: str | None = None) -> str:
    """The quiz's questions (current base version) as GIFT text in ``lang`` (default: the quiz's GIFT language).

    :raises ContentError: unknown course or quiz; :raises GiftExportError: questions GIFT cannot express.
    """
    course = _course(course_key)
    activity = find_quiz(_base_tree(course), quiz)
    lang = lang or (activity.settings or {}).get("gift_language") or course.default_language
    if lang not in (course.languages or []):
        raise ContentError(f'language "{lang}" is not offered by course "{course.key}" ({", ".join(course.languages)})')
    return write_gift([question_from_row(q) for q in activity.questions], lang)


@dataclass
class GiftImportResult:
    version: int  #: the new base version number
    path: str  #: the quiz
    questions: Counts
    countries: list[str]


def gift_import(course_key: str, quiz: str, text: str, lang: str | None = None, *, filename: str = "bank.gift",
                actor=None) -> GiftImportResult:
    """Replace a quiz's questions with a GIFT bank's, in a new base version (countries follow). Flushes only.

    The quiz becomes a GIFT quiz in ``lang``. The course files are no longer the source of this version:
    export the course to keep the change, or the next ``content import`` brings the files' questions back.

    :raises ContentError: unknown course, quiz or language; :raises GiftRefused: problems in the GIFT text.
    """
    from ..accounts.services import audit

    course = _course(course_key)
    base = _base_tree(course)
    activity = find_quiz(base, quiz)
    lang = lang or course.default_language
    if lang not in (course.languages or []):
        raise ContentError(f'language "{lang}" is not offered by course "{course.key}" ({", ".join(course.languages)})')
    src = Source(filename, [])
    questions = read_gift(src, text.replace("\r\n", "\n"), lang)
    if src.problems:
        raise GiftRefused(src.problems)
    if not questions:
        raise GiftRefused([Problem(filename, 1, "no question found in the GIFT file")])
    old_doc = version_to_doc(base)
    new_doc = copy.deepcopy(old_doc)
    target = new_doc.activity(activity.path)
    target.quiz.questions, target.format, target.gift_language = questions, "gift", lang
    counts = {kind: Counts() for kind in KINDS}
    compare_items(old_doc, new_doc, counts)
    new_base = build_version(course, new_doc, stored_lessons(base), actor=actor,
                             note=f"GIFT import into {activity.path}")
    course.source_hash = None  # the files no longer describe the current version
    countries = []
    for country, version in sorted((c, v) for c, v in current_versions(course).items() if c is not None):
        old_country = load_version_tree(version.id)
        adaptation = reconstruct_adaptation(old_doc, version_to_doc(old_country), country)
        resolved = normalise_images(resolve(new_doc, adaptation))
        local = frozenset(path for path, _kind, _obj in walk(resolved)
                          if path and locate(new_doc, path) is None)
        build_version(course, resolved, stored_lessons(old_country), country=country, base_version=new_base,
                      local=local, actor=actor, note=f"GIFT import into {activity.path}")
        countries.append(country)
    audit(actor, "content.gift_import", course, quiz=activity.path, language=lang, questions=len(questions),
          version=new_base.number)
    return GiftImportResult(new_base.number, activity.path, counts["question"], countries)


__all__ = [
    "ContentError",
    "GiftExportError",
    "GiftRefused",
    "export_course",
    "find_quiz",
    "gift_export",
    "gift_import",
    "reconstruct_adaptation",
]
