"""Base-course drafts: copy the current version, edit it, review it, publish it atomically, restore an old one.

Learners only ever read the current published version; a draft is a ``CourseVersion`` with status "draft" (then
"review") that authors edit in place. Keys never change here, so learner progress (keyed by activity path) stays
valid whatever is edited, published or restored. Modules and activities may be added and removed: a removed one is
only left out of the draft, the learners' rows keyed by its path stay, and meet it again in any version restored
that has it. Services flush, never commit.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.services import audit
from ..content.hashing import item_hashes
from ..content.markdown import render_markdown
from ..content.models import (
    Activity,
    Course,
    CourseVersion,
    Module,
    Question,
    QuestionOption,
)
from ..extensions import db, utcnow
from .models import Adaptation, ReviewSubmission, TranslationState
from .services import AuthoringError

EDITABLE = {"module": ("title", "summary"), "lesson": ("title", "body"), "quiz": ("title",),
            "question": ("text", "general_feedback"), "option": ("text", "feedback"),
            "course": ("title", "summary", "audience")}


def _columns(row, skip=("id", "version_id", "module_id", "activity_id", "question_id")) -> dict[str, Any]:
    result = {}
    for column in row.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(row, column.key)
        result[column.key] = dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) \
            else value
    return result


def current_draft(course: Course) -> CourseVersion | None:
    """The base draft (or draft in review) of ``course``, if any: there is at most one."""
    return db.session.scalar(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.country_code.is_(None),
        CourseVersion.status.in_(("draft", "review"))))


def base_versions(course: Course) -> list[CourseVersion]:
    return list(db.session.scalars(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.country_code.is_(None))
        .order_by(CourseVersion.number.desc())))


def create_draft(course: Course, source: CourseVersion, actor: User | None, note: str = "") -> CourseVersion:
    """A draft copied from ``source`` (the current version, or an earlier one to restore).

    :raises AuthoringError: when a draft already exists.
    """
    from ..content.services import load_version_tree

    if current_draft(course) is not None:
        raise AuthoringError(_("This course already has a draft: finish or publish it first."))
    tree = load_version_tree(source.id)
    number = db.session.scalar(select(func.max(CourseVersion.number)).where(
        CourseVersion.course_id == course.id, CourseVersion.country_code.is_(None))) or 0
    fields = _columns(tree, skip=("id",))
    fields.update(number=number + 1, status="draft", is_current=False, source="web", created_at=utcnow(),
                  created_by_id=actor.id if actor else None, published_at=None, published_by_id=None,
                  note=note or None)
    draft = CourseVersion(**fields)
    db.session.add(draft)
    db.session.flush()
    for module in tree.modules:
        new_module = Module(**_columns(module))
        draft.modules.append(new_module)
        for activity in module.activities:
            new_activity = Activity(version_id=draft.id, **_columns(activity))
            new_module.activities.append(new_activity)
            for question in activity.questions:
                new_question = Question(**_columns(question))
                new_activity.questions.append(new_question)
                for option in question.options:
                    new_question.options.append(QuestionOption(**_columns(option)))
    db.session.flush()
    action = "course.draft" if source.is_current else "course.restore"
    audit(actor, action, draft, course=course.key, source_version=source.number)
    return draft


# --- finding and editing items of a draft -------------------------------------------------------------------


def find_item(version: CourseVersion, path: str):
    """``(kind, row)`` of the item at ``path`` in a loaded version ("" = the course), or None."""
    if path == "":
        return "course", version
    parts = path.split("/")
    module = next((m for m in version.modules if m.key == parts[0]), None)
    if module is None or len(parts) == 1:
        return ("module", module) if module is not None else None
    activity = next((a for a in module.activities if a.key == parts[1]), None)
    if activity is None or len(parts) == 2:
        return (activity.type, activity) if activity is not None else None
    question = next((q for q in activity.questions if q.key == parts[2]), None)
    if question is None or len(parts) == 3:
        return ("question", question) if question is not None else None
    option = next((o for o in question.options if o.key == parts[3]), None)
    return ("option", option) if option is not None and len(parts) == 4 else None


def _item(version: CourseVersion, path: str, kind: str, refusal: str) -> Any:
    """The row of the ``kind`` item at ``path`` in ``version``; else AuthoringError(``refusal``)."""
    found = find_item(version, path)
    if found is None or found[0] != kind:
        raise AuthoringError(refusal)
    return found[1]


def _editable(version: CourseVersion) -> None:
    if version.status != "draft":
        raise AuthoringError(_("This version is not an editable draft."))


def _render_lesson(activity: Activity) -> None:
    media = (activity.settings or {}).get("media") or {}
    known = {rel: name for names in media.values() for rel, name in names.items()}
    from ..content.importer import MEDIA_URL

    html = {}
    for lang, text in (activity.body or {}).items():
        html[lang] = render_markdown(text, rewrite_image=lambda src: MEDIA_URL + known[src] if src in known else src)
    activity.html = html


def _rerender_question(question: Question, allow_html: bool) -> None:
    from ..content.importer import render_question
    from ..content.services import question_from_row

    question.rendered = render_question(question_from_row(question), allow_html)


def refresh_hashes(version: CourseVersion) -> dict[str, dict[str, str]]:
    """Recompute every item's content hashes of a loaded version (after an edit); returns them by path."""
    from ..content.services import version_to_doc

    hashes = item_hashes(version_to_doc(version))
    version.hashes = hashes.get("", {})
    for module in version.modules:
        module.hashes = hashes.get(module.key, {})
        for activity in module.activities:
            activity.hashes = hashes.get(activity.path, {})
            for question in activity.questions:
                question.hashes = hashes.get(f"{activity.path}/{question.key}", {})
                for option in question.options:
                    option.hashes = hashes.get(f"{activity.path}/{question.key}/{option.key}", {})
    return hashes


def edit_texts(course: Course, version: CourseVersion, path: str, texts: dict[tuple[str, str], str],
               actor: User | None, points: float | None = None, source: str | None = None) -> list[str]:
    """Set texts ``{(field, lang): text}`` of one item of a draft; returns the names of what changed.

    Lessons are rendered to sanitized HTML right away; the translation state remembers which source text each
    translation was written against (``source``: the language translated from, by default the course's main
    language). Keys are never changed.
    """
    _editable(version)
    found = find_item(version, path)
    if found is None:
        raise AuthoringError(_("This item is not in the course."))
    kind, row = found
    allowed = EDITABLE[kind]
    before = refresh_hashes(version).get(path, {})
    main = course.default_language
    source = source if source in (course.languages or [main]) else main
    changed = []
    for (name, lang), text in texts.items():
        if name not in allowed or lang not in course.languages:
            raise AuthoringError(_("This text cannot be edited here."))
        text = (text or "").replace("\r\n", "\n")
        value = dict(getattr(row, name) or {})
        if value.get(lang, "") == text:
            continue
        if name in ("title", "text") and lang == main and not text.strip():
            raise AuthoringError(_("The text in the course's main language cannot be empty."))
        if text.strip():
            value[lang] = text
        else:
            value.pop(lang, None)
        setattr(row, name, value)
        changed.append(f"{name}:{lang}")
    if points is not None and kind == "question" and points != row.points:
        if points < 0 or points > 100:
            raise AuthoringError(_("Points go from 0 to 100."))
        row.points = points
        changed.append("points")
    if not changed:
        return []
    if kind == "lesson":
        _render_lesson(row)
    if kind in ("question", "option"):
        question = row if kind == "question" else row.question
        _rerender_question(question, (question.activity.settings or {}).get("format") == "gift")
    after = refresh_hashes(version).get(path, {})
    _record_translations(course, path, before, after, {lang for _n, lang in texts}, source, actor)
    db.session.flush()
    audit(actor, "course.edit", version, course=course.key, item=path, changed=changed)
    return changed


def _record_translations(course: Course, path: str, before: dict, after: dict, langs: set, source: str,
                         actor: User | None) -> None:
    states = {s.lang: s for s in db.session.scalars(select(TranslationState).where(
        TranslationState.course_id == course.id, TranslationState.path == path))}
    actor_id = actor.id if actor else None
    if before.get(source) != after.get(source) and before.get(source):
        # the source changed: translations written before keep the old source hash (so they become stale)
        for lang in course.languages:
            if lang != source and lang in before and lang not in states:
                states[lang] = TranslationState(course_id=course.id, path=path, lang=lang, source_lang=source,
                                                source_hash=before[source], updated_by_id=actor_id)
                db.session.add(states[lang])
    for lang in langs:
        if lang == source or before.get(lang) == after.get(lang) or source not in after:
            continue
        state = states.get(lang)
        if state is None:
            db.session.add(TranslationState(course_id=course.id, path=path, lang=lang, source_lang=source,
                                            source_hash=after[source], updated_by_id=actor_id))
        else:
            state.source_hash, state.source_lang, state.updated_by_id = after[source], source, actor_id


def _resequence(version: CourseVersion) -> None:
    sequence = 0
    for position, module in enumerate(version.modules):
        module.position = position
        for index, activity in enumerate(module.activities):
            activity.position, activity.sequence = index, sequence
            sequence += 1


def move(version: CourseVersion, path: str, offset: int, actor: User | None) -> None:
    """Move a module, an activity, a question or an option up (-1) or down (+1) among its siblings."""
    _editable(version)
    found = find_item(version, path)
    if found is None or found[0] == "course":
        raise AuthoringError(_("This item is not in the course."))
    kind, row = found
    parts = path.split("/")
    if kind == "module":
        siblings = version.modules
    elif kind in ("lesson", "quiz"):
        siblings = find_item(version, parts[0])[1].activities
    elif kind == "question":
        siblings = find_item(version, "/".join(parts[:2]))[1].questions
    else:
        siblings = find_item(version, "/".join(parts[:3]))[1].options
    index = siblings.index(row)
    target = index + offset
    if target < 0 or target >= len(siblings):
        return
    ordered = list(siblings)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    siblings.sort(key=lambda item: item.position)
    _resequence(version)
    db.session.flush()
    audit(actor, "course.move", version, item=path, offset=offset)


def remove_question(version: CourseVersion, path: str, actor: User | None) -> None:
    """Remove a question from a quiz of a draft (learners' earlier answers stay in their attempts)."""
    _editable(version)
    question = _item(version, path, "question", _("Only a question can be removed here."))
    activity = question.activity
    if len(activity.questions) <= 1:
        raise AuthoringError(_("A quiz keeps at least one question."))
    activity.questions.remove(question)
    for position, item in enumerate(activity.questions):
        item.position = position
    db.session.flush()
    audit(actor, "course.remove_question", version, item=path)


def unfinished(version: CourseVersion) -> list[str]:
    """Paths of what a loaded draft cannot be published with: a module without activity, a quiz without question."""
    paths = []
    for module in version.modules:
        if not module.activities:
            paths.append(module.key)
        paths.extend(a.path for a in module.activities if a.type == "quiz" and not a.questions)
    return paths


def submit_draft(version: CourseVersion, actor: User) -> None:
    """Send a loaded draft for review by someone else.

    :raises AuthoringError: not a draft, or a module without activity or a quiz without question in it.
    """
    _editable(version)
    empty = unfinished(version)
    if empty:
        raise AuthoringError(_("Give every module an activity and every quiz a question before the review: "
                               "%(items)s", items=", ".join(empty)))
    version.status = "review"
    db.session.add(ReviewSubmission(version_id=version.id, submitted_by_id=actor.id))
    db.session.flush()
    audit(actor, "course.submit", version, number=version.number)


def pending_submission(version: CourseVersion) -> ReviewSubmission | None:
    """The draft's last submission for review that nobody approved yet."""
    return db.session.scalar(select(ReviewSubmission).where(
        ReviewSubmission.version_id == version.id, ReviewSubmission.approved_at.is_(None))
        .order_by(ReviewSubmission.id.desc()).limit(1))


def back_to_draft(version: CourseVersion, actor: User) -> None:
    """A reviewer asks for changes (or the author takes it back)."""
    if version.status != "review":
        raise AuthoringError(_("This version is not waiting for review."))
    version.status = "draft"
    db.session.flush()
    audit(actor, "course.back_to_draft", version, number=version.number)


def publish_draft(course: Course, version: CourseVersion, actor: User, note: str = "") -> CourseVersion:
    """Approve and publish a base draft in one step: the previous current version is archived.

    Every published adaptation of the course is re-resolved on the new base, so items a country did not change
    follow the base right away; the country's own texts are kept and changes in conflict are listed on its page.

    :raises AuthoringError: not in review, or approved by the person who submitted it.
    """
    if version.status != "review":
        raise AuthoringError(_("Send the draft for review before publishing it."))
    submission = pending_submission(version)
    if submission is not None and submission.submitted_by_id == actor.id and not actor.has_role("admin"):
        raise AuthoringError(_("Another trainer must approve what you submitted."))
    previous = db.session.scalars(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.country_code.is_(None),
        CourseVersion.is_current.is_(True))).all()
    for old in previous:
        old.is_current, old.status = False, "archived"
    db.session.flush()
    now = utcnow()
    version.status, version.is_current = "published", True
    version.published_at, version.published_by_id = now, actor.id
    if note:
        version.note = note
    if submission is not None:
        submission.approved_at, submission.approved_by_id = now, actor.id
    db.session.flush()
    audit(actor, "course.publish", version, course=course.key, number=version.number, note=note)
    _refresh_adaptations(course, version, actor)
    return version


def _refresh_adaptations(course: Course, base_version: CourseVersion, actor: User) -> None:
    """After a base publish, every country variant follows the new base: published adaptations are re-resolved
    (their conflicts then show on the status page), and a variant that came only from the course files is
    re-resolved from its differences with the base it was built on (the country's own texts are kept)."""
    from ..content import overlay
    from ..content.exporter import reconstruct_adaptation
    from ..content.importer import build_version, local_paths
    from ..content.services import load_version_tree, version_to_doc
    from . import adapt
    from .services import lessons_html

    adaptations = db.session.scalars(select(Adaptation).where(Adaptation.course_id == course.id,
                                                              Adaptation.published_at.is_not(None))).all()
    base = version_to_doc(load_version_tree(base_version.id))
    for adaptation in adaptations:
        resolved = adapt.resolved_course(adaptation, base)
        build_version(course, resolved, lessons_html(resolved, base, base_version),
                      country=adaptation.country_code, base_version=base_version,
                      local=local_paths(base, adapt.adaptation_doc(adaptation, base)), actor=actor, source="web",
                      note=f"base {base_version.number}")
    handled = {adaptation.country_code for adaptation in adaptations}
    file_variants = db.session.scalars(select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.country_code.is_not(None),
        CourseVersion.is_current.is_(True), CourseVersion.base_version_id.is_not(None),
        CourseVersion.base_version_id != base_version.id)).all()
    for variant in file_variants:
        if variant.country_code in handled:
            continue
        old_base = version_to_doc(load_version_tree(variant.base_version_id))
        changes = reconstruct_adaptation(old_base, version_to_doc(load_version_tree(variant.id)), variant.country_code)
        resolved = overlay.resolve(base, changes)
        build_version(course, resolved, lessons_html(resolved, base, base_version), country=variant.country_code,
                      base_version=base_version, local=local_paths(base, changes), actor=actor, source="web",
                      note=f"base {base_version.number}")


def web_edited(course: Course) -> bool:
    """Was the current base version written on the web (so a file import would overwrite trainers' edits)?"""
    from ..content.services import current_version

    version = current_version(course, None)
    return version is not None and version.source == "web"


def import_diff(course: Course, doc) -> list[str]:
    """What a file import of ``doc`` would overwrite in a web-edited base, one line per item ("~ path (fr, en)",
    "+ path", "- path"); empty when the current base was not edited on the web.

    For the import path: ``flask content import`` refuses without ``--force`` when this is not empty.
    """
    from ..content.services import current_version, load_version_tree, version_to_doc

    version = current_version(course, None)
    if version is None or version.source != "web":
        return []
    old = item_hashes(version_to_doc(load_version_tree(version.id)))
    new = item_hashes(doc)
    lines = []
    for path in sorted(set(old) | set(new)):
        if path not in new:
            lines.append(f"- {path}")
        elif path not in old:
            lines.append(f"+ {path}")
        elif old[path] != new[path]:
            langs = sorted(lang for lang in set(old[path]) | set(new[path]) if old[path].get(lang) != new[path].get(lang))
            lines.append(f"~ {path or '(course)'} ({', '.join(langs)})")
    return lines


# --- translations -------------------------------------------------------------------------------------------

MISSING, UP_TO_DATE, STALE = "missing", "up_to_date", "stale"


def translation_table(course: Course, version: CourseVersion, source: str | None = None) -> list[dict]:
    """Per item of a loaded version that has text in ``source`` (by default the course's main language): its texts
    and, for every other language, missing / up to date / stale against ``source``.

    A translation is stale when the source text changed after it was written: its recorded state holds the hash
    of the source text it was written from. A state recorded from another source language says nothing about this
    one, so it counts as stale unless the hashes match (the same text); no state at all (imported together) counts
    as up to date.
    """
    from ..content.paths import TEXT_FIELDS, walk
    from ..content.services import version_to_doc

    doc = version_to_doc(version)
    hashes = item_hashes(doc)
    source = source if source in (course.languages or []) else course.default_language
    states = {(s.path, s.lang): s for s in db.session.scalars(select(TranslationState).where(
        TranslationState.course_id == course.id))}
    rows = []
    for path, kind, obj in walk(doc):
        if kind not in ("course", "module", "activity", "question", "option"):
            continue
        own = hashes.get(path, {})
        if source not in own:
            continue
        fields = [getattr(obj, name, None) or {} for name in TEXT_FIELDS[kind]]
        fields = [texts for texts in fields if texts.get(source)]
        status = {}
        for lang in course.languages:
            if lang == source:
                continue
            if any(not texts.get(lang) for texts in fields):
                status[lang] = MISSING
            else:
                state = states.get((path, lang))
                status[lang] = UP_TO_DATE if state is None or state.source_hash == own[source] else STALE
        headline = (obj.text if kind in ("question", "option") else obj.title) or {}
        rows.append({"path": path, "kind": kind, "texts": {lang: headline.get(lang, "") for lang in course.languages},
                     "status": status})
    return rows


# --- lesson images ------------------------------------------------------------------------------------------

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_WIDTH = 1600
IMAGE_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}


def add_lesson_image(course: Course, version: CourseVersion, path: str, lang: str, data: bytes, alt: str,
                     actor: User | None) -> str:
    """Store an uploaded image (PNG, JPEG or WebP, at most 5 MB, resized to 1600 px wide at most, metadata
    dropped) and append it to the lesson's text in ``lang``; returns the Markdown inserted.

    :raises AuthoringError: not an image of an accepted type, too big, no description, not a lesson.
    """
    import hashlib
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    from ..content.models import Media

    _editable(version)
    activity = _item(version, path, "lesson", _("Images are added to lessons."))
    if lang not in course.languages:
        raise AuthoringError(_("This course is not written in that language."))
    alt = (alt or "").strip().replace("]", "").replace("[", "")
    if not alt:
        raise AuthoringError(_("Describe the image (alternative text) for people who cannot see it."))
    if len(data) > MAX_IMAGE_BYTES:
        raise AuthoringError(_("The image is too big: at most 5 MB."))
    try:
        with Image.open(BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AuthoringError(_("This file is not a PNG, JPEG or WebP image."))
    if image.format not in IMAGE_FORMATS:
        raise AuthoringError(_("This file is not a PNG, JPEG or WebP image."))
    ext, content_type = IMAGE_FORMATS[image.format]
    if image.width > MAX_IMAGE_WIDTH:
        image = image.resize((MAX_IMAGE_WIDTH, round(image.height * MAX_IMAGE_WIDTH / image.width)))
    if ext == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = BytesIO()
    image.save(out, format="JPEG" if ext == "jpg" else ext.upper(), **({"quality": 85} if ext != "png" else {}))
    stored = out.getvalue()
    digest = hashlib.sha256(stored).hexdigest()
    if db.session.scalar(select(Media.id).where(Media.sha256 == digest)) is None:
        db.session.add(Media(sha256=digest, filename=f"upload.{ext}", content_type=content_type, data=stored,
                             width=image.width, height=image.height))
    relative = f"images/{digest[:16]}.{ext}"
    settings = dict(activity.settings or {})
    media = {k: dict(v) for k, v in (settings.get("media") or {}).items()}
    media.setdefault(lang, {})[relative] = f"{digest}.{ext}"
    settings["media"] = media
    activity.settings = settings
    snippet = f"![{alt}]({relative})"
    body = dict(activity.body or {})
    body[lang] = (body.get(lang, "").rstrip("\n") + "\n\n" + snippet + "\n").lstrip("\n")
    activity.body = body
    _render_lesson(activity)
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.image", version, course=course.key, item=path, lang=lang, sha256=digest)
    return snippet


# --- quizzes: questions, options, settings ------------------------------------------------------------------

NEW_QUESTION_TYPES = ("single_choice", "multiple_response", "true_false", "reflection")


def _check_answerable(question: Question) -> None:
    from ..content.services import question_from_row

    check_answerable(question_from_row(question))


def check_answerable(model) -> None:
    """A choice question has two options or more and its correct answer marked.

    :raises AuthoringError: naming what is missing.
    """
    from ..content.parser import missing_correct_answer

    if model.type in ("single_choice", "multiple_response") and len(model.options) < 2:
        raise AuthoringError(_("A choice question needs at least two options."))
    if missing_correct_answer(model):
        raise AuthoringError(_("Mark the correct answer: a single choice needs one correct option, the correct "
                               "options of a multiple response share 100%."))


def _valid_key(key: str, taken) -> str:
    from ..content.fields import valid_key

    key = (key or "").strip()
    if not valid_key(key):
        raise AuthoringError(_("A key uses lower-case letters, digits and hyphens (at most 64)."))
    if key in taken:
        raise AuthoringError(_("This key is already used here."))
    return key


def choice_weights(qtype: str, correct: list[bool]) -> list[float]:
    right = sum(correct)
    if qtype == "single_choice":
        return [100.0 if flag else 0.0 for flag in correct]
    return [round(100.0 / right, 6) if flag and right else 0.0 for flag in correct]


def require_languages(texts: dict[str, str], required, what: str) -> None:
    """:raises AuthoringError: when ``texts`` lacks one of the ``required`` languages (``what``: the text's name)."""
    missing = [lang for lang in required if not (texts.get(lang) or "").strip()]
    if missing:
        raise AuthoringError(_("%(what)s: missing in %(languages)s, which the course requires.", what=what,
                               languages=", ".join(missing)))


def question_model(key: str, qtype: str, text: dict[str, str], options_text: dict[str, str], answer: bool | None,
                   main: str, taken, points: float | None = None, feedback: dict[str, str] | None = None,
                   required=()):
    """A new question (``quiz.model.Question``) from what a trainer typed, per language, checked.

    Choice options come one per line in each language, in the same order; the correct ones start with ``*`` in the
    ``main`` language. ``points`` blank: 1 (a reflection is never scored: 0). The ``required`` languages must all
    be given (the question, its options, and its feedback when there is one). Used for base drafts (the main
    language only) and for the questions a country adds to its adaptation (every language the course requires).

    :raises AuthoringError: an unknown type, a bad or taken key, a missing text, points out of range, options that
        do not match between languages, no correct answer.
    """
    from ..quiz.model import Choice
    from ..quiz.model import Question as QuestionModel

    if qtype not in NEW_QUESTION_TYPES:
        raise AuthoringError(_("Choose a question type."))
    key = _valid_key(key, taken)
    texts = {lang: value.replace("\r\n", "\n") for lang, value in text.items() if value and value.strip()}
    if main not in texts:
        raise AuthoringError(_("Write the question."))
    require_languages(texts, required, _("The question"))
    feedbacks = {lang: value.replace("\r\n", "\n").strip() for lang, value in (feedback or {}).items()
                 if value and value.strip()}
    if feedbacks:
        require_languages(feedbacks, (main, *required), _("The feedback"))
    if qtype == "reflection" or points is None:
        points = 0.0 if qtype == "reflection" else 1.0
    elif not 0 <= points <= 100:
        raise AuthoringError(_("Points go from 0 to 100."))
    model = QuestionModel(key=key, type=qtype, text=texts, points=float(points), general_feedback=feedbacks)
    if qtype in ("single_choice", "multiple_response"):
        lines = {lang: [line.strip() for line in value.splitlines() if line.strip()]
                 for lang, value in options_text.items() if value and value.strip()}
        wanted = lines.get(main, [])
        for lang, given in lines.items():
            if len(given) != len(wanted):
                raise AuthoringError(_("Give the options in %(language)s in the same number and order as in "
                                       "%(main)s.", language=lang, main=main))
        if wanted:
            require_languages({lang: "x" for lang in lines}, required, _("The options"))
        weights = choice_weights(qtype, [line.startswith("*") for line in wanted])
        model.options = [Choice(key=f"o{i + 1}", text={lang: given[i].lstrip("*").strip() for lang, given in
                                                       lines.items()}, weight=weight)
                         for i, weight in enumerate(weights)]
    elif qtype == "true_false":
        model.answer = answer
    check_answerable(model)
    return model


def add_question(course: Course, version: CourseVersion, quiz_path: str, key: str, qtype: str, text: str,
                 options_text: str, answer: bool | None, actor: User | None, points: float | None = None,
                 feedback: str = "") -> Question:
    """Add a question (in the course's main language) at the end of a quiz of the draft (see ``question_model``)."""
    from ..content.services import question_row

    _editable(version)
    activity = _item(version, quiz_path, "quiz", _("Questions are added to quizzes."))
    main = course.default_language
    model = question_model(key, qtype, {main: text}, {main: options_text}, answer, main,
                           {q.key for q in activity.questions}, points, {main: feedback})
    row = question_row(model, len(activity.questions))
    activity.questions.append(row)
    _rerender_question(row, (activity.settings or {}).get("format") == "gift")
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.add_question", version, course=course.key, item=f"{quiz_path}/{model.key}", type=qtype)
    return row


def import_gift(course: Course, version: CourseVersion, quiz_path: str, text: str, lang: str,
                actor: User | None) -> list[Question]:
    """Add the questions of a Moodle GIFT bank at the end of a quiz of the draft; any problem refuses the whole file.

    :raises AuthoringError: naming each problem with its line, or when the place is not a quiz.
    """
    from ..content.gift import parse_gift
    from ..content.services import question_row

    _editable(version)
    activity = _item(version, quiz_path, "quiz", _("Questions are added to quizzes."))
    if lang not in (course.languages or [course.default_language]):
        raise AuthoringError(_("This course is not offered in that language."))
    result = parse_gift(text, lang)
    if result.problems:
        details = "; ".join(_("line %(n)s: %(problem)s", n=line, problem=message)
                            for line, message in result.problems[:10])
        raise AuthoringError(_("Nothing was imported. %(details)s", details=details))
    if not result.questions:
        raise AuthoringError(_("The file holds no question."))
    taken = {q.key for q in activity.questions}
    rows = []
    for model in result.questions:
        model.key = _unique_key(model.key, taken)
        taken.add(model.key)
        row = question_row(model, len(activity.questions))
        activity.questions.append(row)
        _rerender_question(row, True)
        rows.append(row)
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.gift_import", version, course=course.key, item=quiz_path, questions=len(rows), lang=lang)
    return rows


def _unique_key(key: str, taken: set[str]) -> str:
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}-{n}"[:64], n + 1
    return candidate


def export_gift(version: CourseVersion, quiz_path: str, lang: str) -> str:
    """The questions of a quiz as Moodle GIFT text (types GIFT cannot hold are refused with their keys)."""
    from ..content.gift import GiftExportError, write_gift
    from ..content.services import question_from_row

    activity = _item(version, quiz_path, "quiz", _("Questions are added to quizzes."))
    try:
        return write_gift([question_from_row(q) for q in activity.questions], lang)
    except GiftExportError as error:
        raise AuthoringError(_("GIFT cannot hold these questions: %(keys)s",
                               keys=", ".join(key for key, _message in error.problems)))


def add_option(course: Course, version: CourseVersion, question_path: str, key: str, text: str, correct: bool,
               actor: User | None) -> QuestionOption:
    """Add an option to a choice question; the weights are shared again among the correct options."""
    _editable(version)
    question = _item(version, question_path, "question", _("Options are added to choice questions."))
    if question.type not in ("single_choice", "multiple_response"):
        raise AuthoringError(_("Options are added to choice questions."))
    key = _valid_key(key, {o.key for o in question.options})
    if not (text or "").strip():
        raise AuthoringError(_("Write the option."))
    if correct and question.type == "single_choice":
        for other in question.options:
            other.weight = 0.0
    option = QuestionOption(key=key, position=len(question.options), text={course.default_language: text.strip()},
                            weight=100.0 if correct else 0.0)
    question.options.append(option)
    if question.type == "multiple_response":
        flags = [o.weight > 0 for o in question.options]
        for other, weight in zip(question.options, choice_weights(question.type, flags)):
            if other.weight >= 0:
                other.weight = weight
    _check_answerable(question)
    _rerender_question(question, (question.activity.settings or {}).get("format") == "gift")
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.add_option", version, course=course.key, item=f"{question_path}/{key}")
    return option


def set_correct(version: CourseVersion, option_path: str, correct: bool, actor: User | None) -> None:
    """Mark an option correct or not (weights recomputed: single choice 100 %, multiple response shared)."""
    _editable(version)
    option = _item(version, option_path, "option", _("This item is not in the course."))
    question = option.question
    flags = [(o.weight > 0) if o is not option else correct for o in question.options]
    if question.type == "single_choice" and correct:
        flags = [o is option for o in question.options]
    for other, weight in zip(question.options, choice_weights(question.type, flags)):
        if other.weight >= 0 or weight > 0:
            other.weight = weight
    _check_answerable(question)
    _rerender_question(question, (question.activity.settings or {}).get("format") == "gift")
    db.session.flush()
    audit(actor, "course.set_correct", version, item=option_path, correct=correct)


def learners_with_progress(course: Course, path: str) -> int:
    """How many learners have progress or quiz attempts on the activity at ``path`` ("module/activity") or, for a
    module key, on any activity of that module (every country variant counts: they all follow the base)."""
    from sqlalchemy import exists, or_

    from ..learn.models import ActivityProgress, Enrolment, QuizAttempt

    def on(column):
        return column == path if "/" in path else column.startswith(f"{path}/", autoescape=True)

    progressed = exists().where(ActivityProgress.enrolment_id == Enrolment.id, on(ActivityProgress.activity_path))
    attempted = exists().where(QuizAttempt.enrolment_id == Enrolment.id, on(QuizAttempt.activity_path))
    return db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.course_id == course.id, or_(progressed, attempted))) or 0


def _place(items: list, after: str | None) -> int:
    """The index a new item takes among ``items``: first (``after`` None or "") or after the one keyed ``after``."""
    if not after:
        return 0
    index = next((i for i, item in enumerate(items) if item.key == after), None)
    if index is None:
        raise AuthoringError(_("This item is not in the course."))
    return index + 1


def _unused_path(course: Course, path: str) -> None:
    """A new item may not take the key of a removed one learners have progress on (it would look done to them)."""
    if learners_with_progress(course, path):
        raise AuthoringError(_("Learners have progress on an earlier item with this key: choose another key."))


def add_module(course: Course, version: CourseVersion, key: str, title: str, after: str | None,
               actor: User | None) -> Module:
    """A new module of the draft (empty: add its activities next), first or after the module keyed ``after``.

    :raises AuthoringError: a bad or taken key, no title, an unknown place.
    """
    _editable(version)
    key = _valid_key(key, {m.key for m in version.modules})
    title = (title or "").strip()
    if not title:
        raise AuthoringError(_("Write the title."))
    index = _place(version.modules, after)
    _unused_path(course, key)
    module = Module(key=key, title={course.default_language: title}, summary={}, hashes={})
    version.modules.insert(index, module)
    _resequence(version)
    db.session.flush()
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.add_module", version, course=course.key, item=key)
    return module


def add_activity(course: Course, version: CourseVersion, module_key: str, key: str, atype: str, title: str,
                 after: str | None, body: str, sources: list[str], actor: User | None) -> Activity:
    """A new lesson (with its text and sources) or quiz (questions added next) in a module of the draft, first or
    after the activity keyed ``after``; written in the course's main language.

    :raises AuthoringError: not a module, a bad or taken key, an unknown type or place, a missing text.
    """
    from ..content.documents import ActivityDoc
    from ..content.services import quiz_settings_json
    from ..quiz.model import Quiz, QuizSettings

    _editable(version)
    module = _item(version, module_key, "module", _("Activities are added to modules."))
    key = _valid_key(key, {a.key for a in module.activities})
    if atype not in ("lesson", "quiz"):
        raise AuthoringError(_("Choose a lesson or a quiz."))
    title = (title or "").strip()
    if not title:
        raise AuthoringError(_("Write the title."))
    lang = course.default_language
    sources = [s.strip() for s in sources if s and s.strip()]
    body = (body or "").replace("\r\n", "\n")
    if atype == "lesson" and not body.strip():
        raise AuthoringError(_("Write the lesson's text."))
    if atype == "lesson" and not sources:
        raise AuthoringError(_("Give at least one source for the lesson."))
    index = _place(module.activities, after)
    path = f"{module.key}/{key}"
    _unused_path(course, path)
    activity = Activity(version_id=version.id, key=key, path=path, type=atype, title={lang: title},
                        sources=sources, body={}, html={}, settings={}, hashes={})
    if atype == "lesson":
        activity.body = {lang: body}
        _render_lesson(activity)
    else:
        activity.settings = quiz_settings_json(ActivityDoc(key=key, type="quiz", title={},
                                                           quiz=Quiz(settings=QuizSettings(), questions=[])))
    module.activities.insert(index, activity)
    _resequence(version)
    db.session.flush()
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.add_activity", version, course=course.key, item=path, type=atype)
    return activity


def _drop_from_completion(version: CourseVersion, removed: set[str]) -> None:
    """Activities removed from the draft leave its completion rule's list; emptying that list is refused."""
    completion = dict(version.completion or {})
    required = completion.get("required", "all")
    if not isinstance(required, list) or not removed & set(required):
        return
    kept = [p for p in required if p not in removed]
    if not kept:
        raise AuthoringError(_("The course is completed by this only: change the completion rule's activities "
                               "first."))
    completion["required"] = kept
    version.completion = completion


def remove_item(version: CourseVersion, path: str, actor: User | None) -> int:
    """Remove a module, an activity, a question or an option from the draft.

    Learners' progress, attempts and completions are rows of their own keyed by the activity path: they are kept
    as they are. The item is only left out of the new version, and restoring a version that has it brings it back
    with that progress. Returns how many learners have progress on a removed module or activity (else 0).

    :raises AuthoringError: the course's last module, a quiz's last question, or the completion rule's only
        required activities.
    """
    _editable(version)
    found = find_item(version, path)
    if found is None or found[0] == "course":
        raise AuthoringError(_("This item is not in the course."))
    kind, row = found
    if kind in ("module", "lesson", "quiz"):
        learners = learners_with_progress(version.course, path)
        if kind == "module":
            if len(version.modules) <= 1:
                raise AuthoringError(_("A course keeps at least one module."))
            _drop_from_completion(version, {a.path for a in row.activities})
            version.modules.remove(row)
        else:
            _drop_from_completion(version, {path})
            row.module.activities.remove(row)
        _resequence(version)
        db.session.flush()
        refresh_hashes(version)
        db.session.flush()
        audit(actor, "course.remove_module" if kind == "module" else "course.remove_activity", version,
              course=version.course.key, item=path, learners_with_progress=learners)
        return learners
    if kind == "question":
        remove_question(version, path, actor)
        return 0
    question = row.question
    question.options.remove(row)
    for position, item in enumerate(question.options):
        item.position = position
    _check_answerable(question)
    _rerender_question(question, (question.activity.settings or {}).get("format") == "gift")
    refresh_hashes(version)
    db.session.flush()
    audit(actor, "course.remove_option", version, item=path)
    return 0


def set_base_quiz_settings(version: CourseVersion, path: str, pass_mark: float | None, attempts: int | None,
                           shuffle: bool, feedback: str, actor: User | None) -> None:
    """A quiz's settings in the base draft (pass mark blank = the course's)."""
    _editable(version)
    activity = _item(version, path, "quiz", _("Only a quiz has settings."))
    if feedback not in ("after_submit", "immediate"):
        raise AuthoringError(_("Choose when feedback is shown."))
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        raise AuthoringError(_("The pass mark goes from 0 to 100."))
    if attempts is not None and attempts < 1:
        raise AuthoringError(_("Allow at least one attempt."))
    settings = dict(activity.settings or {})
    settings.update(pass_mark=pass_mark, attempts=attempts, shuffle=bool(shuffle), feedback=feedback)
    activity.settings = settings
    db.session.flush()
    audit(actor, "course.quiz_settings", version, item=path, pass_mark=pass_mark, attempts=attempts,
          shuffle=bool(shuffle), feedback=feedback)
