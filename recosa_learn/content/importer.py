"""Loading course_content/ into the database: validate, then create, update or retire courses by key.

Everything happens in the caller's transaction (flush only): ``flask content import`` commits once at the end and
rolls back on any exception, so a failing import changes nothing.

For each course of the tree:

- the ``Course`` row is upserted by key; when the hash of the whole course (documents and image bytes,
  ``Course.source_hash``) is the one imported last time, nothing is written and every item counts as unchanged;
- otherwise the base tree is compared with the current base version (documents, rendered lessons): when it
  differs, a new published, current base ``CourseVersion`` is written (number + 1; the previous one is archived),
  and each module, activity, question and option is counted created / changed / retired / unchanged by key and
  content;
- each ``adaptations/<cc>/`` is resolved with ``overlay.resolve`` into that country's published, current version
  (``country_code`` upper case, ``base_version_id`` set, items added by the adaptation ``is_local``), rewritten
  whenever the base or the adaptation changed, left alone otherwise; a country whose adaptation is gone has its
  imported version archived (its learners get the base course). A country version published on the site
  (``source`` "web", authoring) is never touched by an import: trainers bring it up to date there;
- courses of the database absent from the tree are marked retired (never deleted; learner records stay). This
  only happens when a whole tree is imported, not a single course folder.

Markdown is rendered once, here. Lessons: ``Activity.html = {lang: html}``, lesson images stored as ``Media``
rows (by SHA-256) and served at ``/content/media/<sha256>.<ext>``; ``Activity.settings["media"]`` records which
file each relative image path was (see ``services``). Questions: ``Question.rendered`` holds every display text
as sanitized HTML per language, in this structure (a key is present only when the question has that part)::

    {"text": {lang: html}, "general_feedback": {lang: html},
     "feedback_true": {lang: html}, "feedback_false": {lang: html},
     "options": {option_key: {"text": {lang: inline html}, "feedback": {lang: html}}},
     "answers": [{"feedback": {lang: html}}],           # short_answer answers / numerical answers, in order
     "pairs": {pair_key: {"prompt": {lang: inline html}, "answer": {lang: inline html}}},
     "items": {item_key: {"text": {lang: inline html}}},
     "blanks": {blank_key: {"options": {option_key: {"text": ..., "feedback": ...}},
                            "answers": [{"feedback": {lang: html}}]}},
     "nodes": {node_key: {"text": {lang: html}, "debrief": {lang: html},
                          "choices": {choice_key: {"text": {lang: inline html}, "feedback": {lang: html}}}}}}

"inline html" is rendered Markdown without its enclosing ``<p>`` (fit for a label). Fill-in-the-blanks texts
keep their ``[[blank-key]]`` markers as text inside the HTML. GIFT quizzes' texts may hold HTML (``[html]``):
they are rendered with HTML allowed, then sanitized like everything else.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from recosa_learn.quiz.model import Question

from ..extensions import db, utcnow
from ..places.models import Country
from .documents import ActivityDoc, AdaptationDoc, CourseDoc, ModuleDoc
from .hashing import item_hashes
from .markdown import render_markdown
from .models import Activity, Course, CourseVersion, Media, Module
from .overlay import added_path, resolve
from .parser import COURSE_FILE, load_tree
from .paths import walk
from .problems import Problem, has_errors
from .services import (
    ARCHIVED,
    PUBLISHED,
    current_versions,
    lesson_images,
    load_version_tree,
    question_row,
    quiz_settings_json,
    version_to_doc,
)

KINDS = ("module", "activity", "question", "option")
CREATED, CHANGED, RETIRED, UNCHANGED = "created", "changed", "retired", "unchanged"
MEDIA_URL = "/content/media/"
KEPT = "kept"  #: a course left as it is because its web edits would be overwritten
#: bump when rendering changes, so the next import re-renders every course
RENDERING_VERSION = "1"
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml",
               "gif": "image/gif"}


class ImportRefused(Exception):
    """The tree has errors: nothing was imported. ``problems`` are ``Problem`` objects (``file:line: message``)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the course files")
        self.problems = problems


@dataclass
class Counts:
    created: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0

    def add(self, status: str, n: int = 1) -> None:
        setattr(self, status, getattr(self, status) + n)


@dataclass
class CourseResult:
    """What happened to one course: its status, the current base version number, items and countries."""

    key: str
    status: str
    version: int | None = None
    items: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    countries: dict[str, str] = field(default_factory=dict)  #: "SN" -> created | changed | unchanged | retired


@dataclass
class ImportSummary:
    courses: list[CourseResult] = field(default_factory=list)

    def totals(self) -> dict[str, Counts]:
        """Counts per kind: "course", "country" (country versions), then module, activity, question, option."""
        totals = {kind: Counts() for kind in ("course", "country") + KINDS}
        for course in self.courses:
            totals["course"].add(UNCHANGED if course.status == KEPT else course.status)
            for status in course.countries.values():
                totals["country"].add(status)
            for kind, counts in course.items.items():
                for name, value in dataclasses.asdict(counts).items():
                    totals[kind].add(name, value)
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "courses": [{"key": c.key, "status": c.status, "version": c.version, "countries": c.countries,
                         "items": {k: dataclasses.asdict(v) for k, v in c.items.items()}} for c in self.courses],
            "totals": {k: dataclasses.asdict(v) for k, v in self.totals().items()},
        }

    @property
    def changed_anything(self) -> bool:
        totals = self.totals()
        return any(c.created or c.changed or c.retired for c in totals.values())


Progress = Callable[[int, int, str], None]  #: (courses done, courses in all, key of the course just done)


def import_tree(root, actor=None, progress: Progress | None = None, keep: frozenset[str] = frozenset()
                ) -> ImportSummary:
    """Validate ``root`` (a course tree or one course folder), then import it; flushes, never commits.

    Courses whose keys are in ``keep`` are left exactly as they are (web edits that the files would overwrite).

    :raises ImportRefused: when the files have any error-level problem; nothing is touched then.
    """
    from ..accounts.services import audit

    root = Path(root)
    courses, problems = load_tree(root)
    if has_errors(problems):
        raise ImportRefused([p for p in problems if p.level == "error"])
    _check_countries(courses)
    existing = {c.key: c for c in db.session.scalars(select(Course))}
    summary = ImportSummary()
    media = MediaStore()
    for index, doc in enumerate(courses, 1):
        if doc.key in keep:
            summary.courses.append(CourseResult(doc.key, KEPT))
        else:
            summary.courses.append(_import_course(doc, existing.get(doc.key), actor, media))
        if progress is not None:
            progress(index, len(courses), doc.key)
    if not (root / COURSE_FILE).is_file():  # a whole tree: what is not in it any more is retired
        present = {doc.key for doc in courses}
        for key, course in sorted(existing.items()):
            if key not in present and not course.is_retired:
                course.is_retired = True
                summary.courses.append(CourseResult(key, RETIRED))
    media.save()
    db.session.flush()
    audit(actor, "content.import", None, source=str(root), **summary.as_dict())
    return summary


def _check_countries(courses: list[CourseDoc]) -> None:
    wanted = {a.country: a for doc in courses for a in doc.adaptations}
    if not wanted:
        return
    known = set(db.session.scalars(select(Country.code).where(Country.code.in_(sorted(wanted)))))
    missing = [Problem(wanted[cc].file, 1, f"country {cc} is not in the database: run `flask places load` first")
               for cc in sorted(set(wanted) - known)]
    if missing:
        raise ImportRefused(missing)


# --- Hashes and comparisons -----------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    """Documents as plain data: compared fields only (positions and source folders left out)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _digest(value: Any) -> str:
    text = json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_hash(doc: CourseDoc) -> str:
    """SHA-256 of the whole course: documents (base and adaptations) and the bytes of every image they use."""
    h = hashlib.sha256(f"recosa-course/{RENDERING_VERSION}\n{_digest(doc)}\n".encode())
    for module in doc.modules:
        for activity in module.activities:
            for image in activity.images:
                h.update(f"{module.key}/{image}:{_file_hash(doc.path / module.key / image)}\n".encode())
    for adaptation in doc.adaptations:
        for image in adaptation.images:
            h.update(f"{adaptation.country}/{image}:{_file_hash(adaptation.path / image)}\n".encode())
    return h.hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


_OWN_EXCLUDED = {"module": {"activities"}, "activity": {"quiz", "images"}, "question": {"options"}, "option": set()}


def item_fingerprints(doc: CourseDoc) -> dict[str, tuple[str, str]]:
    """``{path: (kind, digest)}`` for modules, activities, questions and options: each item's own content."""
    result = {}
    for path, kind, obj in walk(doc):
        if kind not in _OWN_EXCLUDED:
            continue
        own = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)
               if f.compare and f.name not in _OWN_EXCLUDED[kind]}
        if kind == "activity" and obj.quiz is not None:
            own["settings"] = obj.quiz.settings
        result[path] = (kind, _digest(own))
    return result


def compare_items(old: CourseDoc | None, new: CourseDoc, counts: dict[str, Counts]) -> None:
    before = item_fingerprints(old) if old is not None else {}
    after = item_fingerprints(new)
    for path, (kind, digest) in after.items():
        if path not in before:
            counts[kind].add(CREATED)
        else:
            counts[kind].add(UNCHANGED if before[path][1] == digest else CHANGED)
    for path, (kind, _digest_) in before.items():
        if path not in after:
            counts[kind].add(RETIRED)


def normalise_images(doc: CourseDoc) -> CourseDoc:
    """Lessons' image lists recomputed from their text (a resolved country course keeps the base's lists)."""
    for module in doc.modules:
        for activity in module.activities:
            if activity.type == "lesson":
                activity.images = lesson_images(activity.body, doc.languages)
    return doc


# --- Media and rendering ----------------------------------------------------------------------------------------

class MediaStore:
    """Image files met while rendering, stored once per SHA-256 when ``save`` runs."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str, str]] = {}  #: sha256 -> (data, file name, extension)
        self._by_path: dict[Path, str] = {}
        #: lessons already rendered in this run: (Markdown, image folder) -> (html, media names)
        self.rendered: dict[tuple[str, Path], tuple[str, dict[str, str]]] = {}

    def register(self, path: Path) -> str:
        """``<sha256>.<ext>`` of the image file at ``path``."""
        path = path.resolve()
        if path not in self._by_path:
            data = path.read_bytes()
            ext = path.suffix.lower().lstrip(".")
            ext = "jpg" if ext == "jpeg" else ext
            digest = hashlib.sha256(data).hexdigest()
            self.files.setdefault(digest, (data, path.name, ext))
            self._by_path[path] = f"{digest}.{ext}"
        return self._by_path[path]

    def save(self) -> None:
        if not self.files:
            return
        known = set(db.session.scalars(select(Media.sha256).where(Media.sha256.in_(list(self.files)))))
        for digest, (data, name, ext) in self.files.items():
            if digest not in known:
                width, height = _dimensions(data, ext)
                db.session.add(Media(sha256=digest, filename=name[:200], content_type=MEDIA_TYPES.get(ext, "image/png"),
                                     data=data, width=width, height=height))
        self.files = {}


def _dimensions(data: bytes, ext: str) -> tuple[int | None, int | None]:
    if ext == "svg":
        return None, None
    try:
        from io import BytesIO

        from PIL import Image

        with Image.open(BytesIO(data)) as image:
            return image.size
    except Exception:  # noqa: BLE001 - dimensions are a nicety; the parser already checked the file exists
        return None, None


def render_lesson(body: dict[str, str], folder_for: Callable[[str], Path], media: MediaStore
                  ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``(html per language, media map per language)``; ``folder_for(lang)`` is where that text's images are."""
    html, used = {}, {}
    for lang, text in body.items():
        folder = folder_for(lang)
        cached = media.rendered.get((text, folder))
        if cached is None:
            names: dict[str, str] = {}

            def rewrite(src: str, folder=folder, names=names) -> str:
                relative = posixpath.normpath(src.split("#")[0].split("?")[0])
                names[relative] = media.register(folder / relative)
                return MEDIA_URL + names[relative]

            cached = media.rendered[(text, folder)] = (render_markdown(text, rewrite_image=rewrite), names)
        html[lang] = cached[0]
        if cached[1]:
            used[lang] = dict(cached[1])
    return html, used


@functools.lru_cache(maxsize=8192)
def _render(text: str, allow_html: bool) -> str:
    """Question texts repeat across country versions: render each once."""
    return render_markdown(text, allow_html=allow_html)


def _block(texts: dict[str, str], allow_html: bool) -> dict[str, str]:
    return {lang: _render(text, allow_html) for lang, text in (texts or {}).items() if text}


def _inline(texts: dict[str, str], allow_html: bool) -> dict[str, str]:
    result = {}
    for lang, html in _block(texts, allow_html).items():
        html = html.strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        result[lang] = html
    return result


def _options(options, allow_html: bool) -> dict[str, dict]:
    return {o.key: _parts(text=_inline(o.text, allow_html), feedback=_block(o.feedback, allow_html))
            for o in options}


def _parts(**parts) -> dict:
    return {name: value for name, value in parts.items() if value}


def render_question(q: Question, allow_html: bool = False) -> dict[str, Any]:
    """Every display text of ``q`` as sanitized HTML (the ``Question.rendered`` structure, module docstring)."""
    b = lambda texts: _block(texts, allow_html)
    i = lambda texts: _inline(texts, allow_html)
    answers = q.answers if q.type == "short_answer" else q.numeric_answers
    return _parts(
        text=b(q.text), general_feedback=b(q.general_feedback), feedback_true=b(q.feedback_true),
        feedback_false=b(q.feedback_false),
        options=_options(q.options, allow_html),
        answers=[{"feedback": b(a.feedback)} for a in answers] if any(a.feedback for a in answers) else None,
        pairs={p.key: _parts(prompt=i(p.prompt), answer=i(p.answer)) for p in q.pairs},
        items={item.key: {"text": i(item.text)} for item in q.items},
        blanks={blank.key: _parts(options=_options(blank.options, allow_html),
                                  answers=[{"feedback": b(a.feedback)} for a in blank.answers]
                                  if any(a.feedback for a in blank.answers) else None)
                for blank in q.blanks},
        nodes={n.key: _parts(text=b(n.text), debrief=b(n.debrief),
                             choices={c.key: _parts(text=i(c.text), feedback=b(c.feedback)) for c in n.choices})
               for n in q.nodes},
    )


# --- Writing versions ---------------------------------------------------------------------------------------------

LessonHtml = dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]]  #: path -> (html, media map)


def render_lessons(doc: CourseDoc, folder_for: Callable[[str, str], Path], media: MediaStore) -> LessonHtml:
    """Rendered lessons of ``doc`` by path; ``folder_for(path, lang)`` is the folder of that text's images."""
    result = {}
    for module in doc.modules:
        for activity in module.activities:
            if activity.type == "lesson":
                path = f"{module.key}/{activity.key}"
                result[path] = render_lesson(activity.body, lambda lang, p=path: folder_for(p, lang), media)
    return result


def build_version(course: Course, doc: CourseDoc, lessons: LessonHtml, *, country: str | None = None,
                  base_version: CourseVersion | None = None, local: frozenset[str] = frozenset(),
                  actor=None, source: str = "import", note: str | None = None) -> CourseVersion:
    """Write ``doc`` as the new published, current version of ``course`` for ``country`` (None = the base).

    The previous current version of that audience is archived. Returns the new version (flushed).
    """
    previous = db.session.scalars(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.is_current.is_(True),
        CourseVersion.country_code.is_(None) if country is None else CourseVersion.country_code == country)).all()
    for old in previous:
        old.is_current = False
        old.status = ARCHIVED
    number = db.session.scalar(select(func.max(CourseVersion.number)).where(
        CourseVersion.course_id == course.id,
        CourseVersion.country_code.is_(None) if country is None else CourseVersion.country_code == country)) or 0
    hashes = item_hashes(doc)
    now = utcnow()
    actor_id = actor.id if actor is not None else None
    version = CourseVersion(
        course_id=course.id, country_code=country, number=number + 1, status=PUBLISHED, is_current=True,
        base_version_id=base_version.id if base_version is not None else None, source=source,
        title=dict(doc.title), summary=dict(doc.summary), audience=dict(doc.audience),
        duration_minutes=doc.duration_minutes, completion=dataclasses.asdict(doc.completion),
        hashes=hashes.get("", {}), note=note, created_at=now, created_by_id=actor_id, published_at=now,
        published_by_id=actor_id)
    db.session.add(version)
    db.session.flush()
    sequence = 0
    for position, module_doc in enumerate(doc.modules):
        module = Module(key=module_doc.key, position=position, title=dict(module_doc.title),
                        summary=dict(module_doc.summary), hashes=hashes.get(module_doc.key, {}),
                        is_local=module_doc.key in local)
        version.modules.append(module)
        for index, activity_doc in enumerate(module_doc.activities):
            path = f"{module_doc.key}/{activity_doc.key}"
            module.activities.append(_activity_row(version, activity_doc, path, index, sequence, hashes, lessons,
                                                   local))
            sequence += 1
    db.session.flush()
    return version


def _activity_row(version: CourseVersion, doc: ActivityDoc, path: str, position: int, sequence: int,
                  hashes: dict, lessons: LessonHtml, local: frozenset[str]) -> Activity:
    row = Activity(version_id=version.id, key=doc.key, path=path, position=position, sequence=sequence,
                   type=doc.type, title=dict(doc.title), sources=list(doc.sources),
                   duration_minutes=doc.duration_minutes, hashes=hashes.get(path, {}), is_local=path in local)
    if doc.type == "lesson":
        html, used = lessons[path]
        row.body, row.html, row.settings = dict(doc.body), html, ({"media": used} if used else {})
        return row
    row.body, row.html, row.settings = {}, {}, quiz_settings_json(doc)
    allow_html = doc.format == "gift"
    for index, q in enumerate(doc.quiz.questions if doc.quiz else []):
        qpath = f"{path}/{q.key}"
        question = question_row(q, index)
        question.rendered = render_question(q, allow_html)
        question.hashes = hashes.get(qpath, {})
        question.is_local = qpath in local
        for option in question.options:
            option.hashes = hashes.get(f"{qpath}/{option.key}", {})
        row.questions.append(question)
    return row


def stored_lessons(version: CourseVersion) -> LessonHtml:
    """Rendered lessons of a loaded version, to compare with a fresh rendering or to reuse as is."""
    return {a.path: (dict(a.html or {}), dict((a.settings or {}).get("media") or {}))
            for m in version.modules for a in m.activities if a.type == "lesson"}


def _local_rows(version: CourseVersion) -> set[str]:
    paths = set()
    for m in version.modules:
        if m.is_local:
            paths.add(m.key)
        for a in m.activities:
            if a.is_local:
                paths.add(a.path)
            paths.update(f"{a.path}/{q.key}" for q in a.questions if q.is_local)
    return paths


def local_paths(doc: CourseDoc, adaptation: AdaptationDoc) -> frozenset[str]:
    """Paths of the items an adaptation adds (and everything inside them)."""
    paths: set[str] = set()
    for override in adaptation.overrides:
        path = added_path(override)
        if path is None:
            continue
        paths.add(path)
        if isinstance(override.add, ModuleDoc):
            paths.update(f"{path}/{a.key}" for a in override.add.activities)
            for activity in override.add.activities:
                if activity.quiz is not None:
                    paths.update(f"{path}/{activity.key}/{q.key}" for q in activity.quiz.questions)
        elif isinstance(override.add, ActivityDoc) and override.add.quiz is not None:
            paths.update(f"{path}/{q.key}" for q in override.add.quiz.questions)
    return frozenset(paths)


# --- One course ---------------------------------------------------------------------------------------------------

def _all_unchanged(doc: CourseDoc, result: CourseResult) -> None:
    for _path, kind, _obj in walk(doc):
        if kind in result.items:
            result.items[kind].add(UNCHANGED)


def _import_course(doc: CourseDoc, course: Course | None, actor, media: MediaStore) -> CourseResult:
    digest = source_hash(doc)
    currents = current_versions(course) if course is not None else {}
    if course is not None and course.source_hash == digest and not course.is_retired and None in currents:
        result = CourseResult(doc.key, UNCHANGED, currents[None].number)
        _all_unchanged(doc, result)
        result.countries = {a.country: UNCHANGED for a in doc.adaptations}
        return result
    if course is None:
        course = Course(key=doc.key)
        db.session.add(course)
        status = CREATED
    else:
        status = CHANGED if course.is_retired else UNCHANGED
    course.kind, course.default_language = doc.kind, doc.default_language
    course.languages, course.required_languages = list(doc.languages), list(doc.required_languages)
    course.is_playful, course.is_retired, course.source_hash = doc.playful, False, digest
    db.session.flush()

    base_doc = normalise_images(dataclasses.replace(doc, adaptations=[]))
    module_folder = lambda path, lang: doc.path / path.split("/")[0]
    lessons = render_lessons(base_doc, module_folder, media)
    result = CourseResult(doc.key, status)
    old = load_version_tree(currents[None].id) if None in currents else None
    old_doc = version_to_doc(old) if old is not None else None
    compare_items(old_doc, base_doc, result.items)
    if old is None or old_doc != base_doc or stored_lessons(old) != lessons:
        if status == UNCHANGED:
            result.status = CHANGED
        base = build_version(course, base_doc, lessons, actor=actor)
    else:
        base = old
    result.version = base.number

    seen = set()
    for adaptation in doc.adaptations:
        seen.add(adaptation.country)
        current = currents.get(adaptation.country)
        if current is not None and current.source == "web":  # published by trainers on the site: theirs
            result.countries[adaptation.country] = UNCHANGED
            continue
        result.countries[adaptation.country] = _import_country(course, base_doc, base, adaptation,
                                                               currents.get(adaptation.country), actor, media)
    for country, version in sorted(currents.items(), key=lambda item: item[0] or ""):
        if country is not None and country not in seen and version.source == "import":
            version.is_current, version.status = False, ARCHIVED
            result.countries[country] = RETIRED
    if result.status == UNCHANGED and any(s != UNCHANGED for s in result.countries.values()):
        result.status = CHANGED
    return result


def _import_country(course: Course, base_doc: CourseDoc, base: CourseVersion, adaptation: AdaptationDoc,
                    current: CourseVersion | None, actor, media: MediaStore) -> str:
    resolved = normalise_images(resolve(base_doc, adaptation))
    local = local_paths(base_doc, adaptation)

    def folder_for(path: str, lang: str) -> Path:
        origin = base_doc.activity(path)
        if path in local or origin is None or origin.body.get(lang) != resolved.activity(path).body.get(lang):
            return adaptation.path
        return base_doc.path / path.split("/")[0]

    lessons = render_lessons(resolved, folder_for, media)
    if current is not None and current.base_version_id == base.id:
        old = load_version_tree(current.id)
        if version_to_doc(old) == resolved and stored_lessons(old) == lessons and _local_rows(old) == local:
            return UNCHANGED
    build_version(course, resolved, lessons, country=adaptation.country, base_version=base, local=local,
                  actor=actor)
    return CHANGED if current is not None else CREATED
