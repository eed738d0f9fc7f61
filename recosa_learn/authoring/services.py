"""Authoring operations shared by views and CLI: they take models and plain values, flush, never commit.

Every change is recorded with ``accounts.services.audit``. Refusals raise ``AuthoringError`` with a translated
message that the view shows with status 400; nothing is changed when one is raised.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import audit
from ..content.documents import CourseDoc
from ..content.hashing import item_hashes
from ..content.markdown import render_markdown
from ..content.models import Course, CourseVersion
from ..content.paths import child_lists, locate
from ..content.writer import adaptation_data
from ..extensions import db, utcnow
from . import adapt
from .models import Adaptation, Override, ReviewComment, ReviewSubmission


class AuthoringError(ValueError):
    """A user-facing refusal (already translated)."""


# --- loading ------------------------------------------------------------------------------------------------


def current_base(course: Course) -> tuple[CourseVersion, CourseDoc]:
    """The published base version of ``course`` and its document.

    :raises AuthoringError: when the course has no published base version yet.
    """
    from ..content.services import current_version, load_version_tree, version_to_doc

    version = current_version(course, None)
    if version is None:
        raise AuthoringError(_("This course has no published version yet."))
    return version, version_to_doc(load_version_tree(version.id))


def find_adaptation(course: Course, country: str) -> Adaptation | None:
    return db.session.scalar(select(Adaptation).where(Adaptation.course_id == course.id,
                                                      Adaptation.country_code == country))


# --- creating and editing an adaptation ----------------------------------------------------------------------


def create_adaptation(course: Course, country: str, actor: User | None, base_version: CourseVersion,
                      base: CourseDoc, start_from: Adaptation | None = None) -> Adaptation:
    """A new, empty (or copied from another country's) adaptation following the current base.

    :raises AuthoringError: when the country already has one.
    """
    if find_adaptation(course, country) is not None:
        raise AuthoringError(_("This country already has an adaptation of this course."))
    adaptation = Adaptation(course=course, country_code=country, created_by_id=actor.id if actor else None,
                            base_version_id=base_version.id, base_hashes=item_hashes(base),
                            created_from=start_from.country_code if start_from else None)
    if start_from is not None:
        adaptation.title, adaptation.summary = dict(start_from.title), dict(start_from.summary)
        for row in start_from.overrides:
            adaptation.overrides.append(Override(
                position=row.position, kind=row.kind, target=row.target, after=row.after, field=row.field,
                lang=row.lang, text=row.text, base_hash=dict(row.base_hash), base_text=row.base_text,
                payload=dict(row.payload), created_by_id=actor.id if actor else None))
    db.session.add(adaptation)
    db.session.flush()
    audit(actor, "adaptation.create", adaptation, country=country, course=course.key,
          created_from=adaptation.created_from)
    return adaptation


def _next_position(adaptation: Adaptation) -> int:
    return max((row.position for row in adaptation.overrides), default=0) + 1


def _touch(adaptation: Adaptation) -> None:
    """Any edit sends a submitted or published adaptation back to draft."""
    adaptation.status = "draft"
    adaptation.submitted_by_id = None


def _locate_base(base: CourseDoc, path: str):
    found = locate(base, path)
    if found is None:
        raise AuthoringError(_("This item is not in the base course."))
    return found


def _inside_hidden(adaptation: Adaptation, path: str) -> bool:
    """Is the item at ``path``, or one it is in, hidden in this country?"""
    return any(r.kind == "hide" and (r.target == path or path.startswith(r.target + "/")) for r in adaptation.overrides)


def _row(adaptation: Adaptation, kind: str, path: str, name: str | None = None,
         lang: str | None = None) -> Override | None:
    return next((r for r in adaptation.overrides
                 if r.kind == kind and r.target == path and r.field == name and r.lang == lang), None)


def set_replacement(adaptation: Adaptation, base: CourseDoc, path: str, name: str, lang: str, text: str,
                    actor: User | None) -> Override | None:
    """Replace one field of one item in one language; an empty text (or the base text) removes the override."""
    found = _locate_base(base, path)
    if name not in adapt.replaceable_fields(found.kind, found.obj):
        raise AuthoringError(_("This text cannot be replaced in an adaptation."))
    if lang not in base.languages:
        raise AuthoringError(_("This course is not written in that language."))
    if _inside_hidden(adaptation, path):
        raise AuthoringError(_("A hidden item cannot be changed: show it first."))
    text = (text or "").replace("\r\n", "\n")
    current = adapt.base_text(base, path, name, lang) or ""
    row = _row(adaptation, "replace", path, name, lang)
    if not text.strip() or text == current:
        if row is not None:
            adaptation.overrides.remove(row)
            audit(actor, "adaptation.override.remove", adaptation, country=adaptation.country_code,
                  item=path, field=name, lang=lang)
            _touch(adaptation)
        db.session.flush()
        return None
    digest = item_hashes(base)[path].get(lang)
    if row is None:
        row = Override(kind="replace", target=path, field=name, lang=lang, position=_next_position(adaptation),
                       created_by_id=actor.id if actor else None)
        adaptation.overrides.append(row)
    elif row.text == text:
        return row
    row.text, row.base_text = text, current
    row.base_hash = {lang: digest} if digest else {}
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.replace", adaptation, country=adaptation.country_code, item=path,
          field=name, lang=lang)
    return row


def set_hidden(adaptation: Adaptation, base: CourseDoc, path: str, hidden: bool, actor: User | None) -> None:
    """Hide an item from the country's learners, or show it again."""
    found = _locate_base(base, path)
    row = _row(adaptation, "hide", path)
    if hidden and row is None:
        if any(r.target == path and r.kind in ("replace", "settings") for r in adaptation.overrides):
            raise AuthoringError(_("Remove this item's replaced texts and settings before hiding it."))
        if found.kind == "course":
            raise AuthoringError(_("The course itself cannot be hidden."))
        adaptation.overrides.append(Override(kind="hide", target=path, base_hash=item_hashes(base)[path],
                                             position=_next_position(adaptation),
                                             created_by_id=actor.id if actor else None))
    elif not hidden and row is not None:
        adaptation.overrides.remove(row)
    else:
        return
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.hide" if hidden else "adaptation.override.show", adaptation,
          country=adaptation.country_code, item=path)


def set_quiz_settings(adaptation: Adaptation, base: CourseDoc, path: str, pass_mark: float | None,
                      attempts: int | None, unlimited: bool, actor: User | None) -> None:
    """A country may raise a quiz's pass mark and change its number of attempts; blanks follow the base.

    :raises AuthoringError: a lower pass mark, or attempts below 1.
    """
    found = _locate_base(base, path)
    if found.kind != "activity" or found.obj.type != "quiz" or found.obj.quiz is None:
        raise AuthoringError(_("Only a quiz has settings."))
    base_mark = found.obj.quiz.settings.pass_mark
    base_mark = base.completion.pass_mark if base_mark is None else base_mark
    settings: dict[str, Any] = {}
    if pass_mark is not None:
        if pass_mark < base_mark or pass_mark > 100:
            raise AuthoringError(_("The pass mark may only be raised: between %(low)s and 100.", low=f"{base_mark:g}"))
        if pass_mark != base_mark:
            settings["pass_mark"] = pass_mark
    if unlimited:
        settings["attempts"] = None
    elif attempts is not None:
        if attempts < 1:
            raise AuthoringError(_("Allow at least one attempt."))
        settings["attempts"] = attempts
    row = _row(adaptation, "settings", path)
    if not settings:
        if row is None:
            return
        adaptation.overrides.remove(row)
    else:
        if row is None:
            row = Override(kind="settings", target=path, position=_next_position(adaptation),
                           created_by_id=actor.id if actor else None)
            adaptation.overrides.append(row)
        row.payload, row.base_hash = settings, item_hashes(base)[path]
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.settings", adaptation, country=adaptation.country_code, item=path,
          settings=settings)


def _keys_in(adaptation: Adaptation, base: CourseDoc, parent: str) -> set[str]:
    """Keys used directly in ``parent`` (a module or a quiz; "" = the course's modules) by the base course and by
    the items the country added there."""
    if parent == "":
        keys = {module.key for module in base.modules}
    else:
        found = locate(base, parent)
        keys = {item.key for kind, items in child_lists(found.obj) if kind in ("activity", "question")
                for item in items} if found is not None else set()
    keys.update(str(row.payload.get("key")) for row in adaptation.overrides
                if row.kind == "add" and adapt.added_parent(row) == parent)
    return keys


def _append_added(adaptation: Adaptation, base: CourseDoc, row: Override, refusal) -> None:
    """Add an ``add`` row, checked exactly as adaptation.yaml's items are (with the country's other additions).

    :raises AuthoringError: ``refusal(problems)`` when the item does not pass; the row is not kept.
    """
    adaptation.overrides.append(row)
    db.session.flush()
    added, problems = adapt.parse_added(adaptation.overrides, base, adaptation.country_code)
    if row.id not in added:
        adaptation.overrides.remove(row)
        db.session.flush()
        raise AuthoringError(refusal("; ".join(p.message for p in problems if hasattr(p, "message"))))


def _required(base: CourseDoc) -> tuple[str, ...]:
    return tuple(base.required_languages or [base.default_language])


def _texts(texts: dict[str, str], required, what: str, strip: bool = True) -> dict[str, str]:
    """The non-empty texts by language (line ends normalised).

    :raises AuthoringError: one of the ``required`` languages is missing (``what``: the text's name).
    """
    from .drafts import require_languages

    result = {}
    for lang, text in (texts or {}).items():
        text = (text or "").replace("\r\n", "\n")
        if text.strip():
            result[lang] = text.strip() if strip else text
    require_languages(result, required, what)
    return result


def _sources(sources: list[str]) -> list[str]:
    result = [s.strip() for s in sources if s and s.strip()]
    if not result:
        raise AuthoringError(_("Give at least one source for the lesson."))
    return result


def add_local_lesson(adaptation: Adaptation, base: CourseDoc, after: str, key: str, title: dict[str, str],
                     body: dict[str, str], sources: list[str], actor: User | None) -> Override:
    """A lesson of the country (title and text in every language the course requires) inserted after an activity
    of the base course.

    :raises AuthoringError: when the key is taken or the lesson is incomplete.
    """
    found = _locate_base(base, after)
    if found.kind != "activity":
        raise AuthoringError(_("A local lesson is added after an activity."))
    if key in _keys_in(adaptation, base, after.rpartition("/")[0]):
        raise AuthoringError(_("This key is already used in this module."))
    payload = {"key": key, "type": "lesson", "title": _texts(title, _required(base), _("The title")),
               "sources": _sources(sources), "body": _texts(body, _required(base), _("The text"), strip=False)}
    row = Override(kind="add", after=after, payload=payload, position=_next_position(adaptation),
                   created_by_id=actor.id if actor else None)
    _append_added(adaptation, base, row, lambda problems: _("This lesson is incomplete: %(problems)s",
                                                             problems=problems))
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.add", adaptation, country=adaptation.country_code, after=after, key=key)
    return row


def question_languages(base: CourseDoc, quiz_path: str) -> tuple[list[str], tuple[str, ...]]:
    """The languages a question of the quiz is written in, and those it needs: a GIFT quiz's questions are in its
    GIFT language only; other quizzes' in the course's languages, the required ones at least."""
    found = locate(base, quiz_path)
    quiz = found.obj if found is not None else None
    if quiz is not None and getattr(quiz, "format", None) == "gift" and quiz.gift_language:
        return [quiz.gift_language], (quiz.gift_language,)
    return list(base.languages), _required(base)


def add_local_question(adaptation: Adaptation, base: CourseDoc, quiz_path: str, after: str | None, key: str,
                       qtype: str, text: dict[str, str], options_text: dict[str, str], answer: bool | None,
                       actor: User | None, points: float | None = None,
                       feedback: dict[str, str] | None = None) -> Override:
    """A question of the country in a quiz of the base course: first (``after`` None) or after the question with
    key ``after`` (of the base or added by the country). Built as a base draft's new question is
    (``drafts.question_model``), in every language the course requires, and stored as adaptation.yaml's ``add``
    (``after`` / ``first_in``).

    :raises AuthoringError: not a quiz, a hidden quiz, an unknown place, or the question refused.
    """
    from ..content.writer import question_data
    from .drafts import question_model

    found = _locate_base(base, quiz_path)
    if found.kind != "activity" or found.obj.type != "quiz" or found.obj.quiz is None:
        raise AuthoringError(_("Questions are added to quizzes."))
    if _inside_hidden(adaptation, quiz_path):
        raise AuthoringError(_("A hidden item cannot be changed: show it first."))
    taken = _keys_in(adaptation, base, quiz_path)
    if after and after not in taken:
        raise AuthoringError(_("Choose where the question goes."))
    languages, required = question_languages(base, quiz_path)

    def written(texts):
        return {lang: value for lang, value in (texts or {}).items() if lang in languages}

    main = base.default_language if base.default_language in required else required[0]
    model = question_model(key, qtype, written(text), written(options_text), answer, main, taken, points,
                           written(feedback), required)
    row = Override(kind="add", after=f"{quiz_path}/{after}" if after else None, target=None if after else quiz_path,
                   payload=question_data(model, base.languages), position=_next_position(adaptation),
                   created_by_id=actor.id if actor else None)
    _append_added(adaptation, base, row, lambda problems: _("This question is incomplete: %(problems)s",
                                                             problems=problems))
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.add", adaptation, country=adaptation.country_code, quiz=quiz_path,
          after=after, key=model.key, type=qtype)
    return row


def add_local_module(adaptation: Adaptation, base: CourseDoc, after: str, key: str, title: dict[str, str],
                     lesson_key: str, lesson_title: dict[str, str], body: dict[str, str], sources: list[str],
                     actor: User | None) -> Override:
    """A module of the country, with one lesson, after a module (of the base or added by the country); its texts
    in every language the course requires.

    :raises AuthoringError: an unknown place, a bad or taken key, a missing title, text or source.
    """
    from .drafts import _valid_key

    modules = _keys_in(adaptation, base, "")
    if after not in modules:
        raise AuthoringError(_("Choose the module the new one follows."))
    key = _valid_key(key, modules)
    lesson_key = _valid_key(lesson_key, ())
    required = _required(base)
    payload = {"key": key, "title": _texts(title, required, _("The module's title")),
               "activities": [{"key": lesson_key, "type": "lesson",
                               "title": _texts(lesson_title, required, _("The lesson's title")),
                               "sources": _sources(sources),
                               "body": _texts(body, required, _("The lesson's text"), strip=False)}]}
    row = Override(kind="add", after=after, payload=payload, position=_next_position(adaptation),
                   created_by_id=actor.id if actor else None)
    _append_added(adaptation, base, row, lambda problems: _("This module is incomplete: %(problems)s",
                                                             problems=problems))
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.add", adaptation, country=adaptation.country_code, after=after, key=key,
          lesson=lesson_key)
    return row


def added_item(adaptation: Adaptation, base: CourseDoc, row: Override):
    """The item an ``add`` row brings, as a course-format object (None when it does not pass the checks)."""
    added, _problems = adapt.parse_added(adaptation.overrides, base, adaptation.country_code)
    found = added.get(row.id)
    return found.add if found is not None else None


def edit_added(adaptation: Adaptation, base: CourseDoc, row: Override, texts: dict[tuple[str, str, str], str],
               actor: User | None, points: float | None = None, correct: dict[str, bool] | None = None,
               answer: bool | None = None) -> list[str]:
    """Change an item the country added: texts ``{(path inside the item, field, lang): text}`` (empty: none in that
    language) and, for a question, its points and correct answers. Returns what changed.

    :raises AuthoringError: not an added item, a text that cannot be edited, an empty main-language title or
        question, points out of range, no correct answer, or the item no longer passing the checks.
    """
    import copy

    from ..content.paths import walk_item
    from ..content.writer import _added
    from .drafts import check_answerable, choice_weights

    if row.kind != "add":
        raise AuthoringError(_("Only an item added by the country is edited here."))
    original = added_item(adaptation, base, row)
    if original is None:
        raise AuthoringError(_("This added item no longer fits the base course: remove it, or add it again."))
    item = copy.deepcopy(original)
    kind = adapt.added_kind(item)
    allowed = {(sub, name) for sub, _kind, name, _obj in adapt.added_fields(item)}
    objects = {sub: obj for sub, _kind, obj in walk_item(item, kind)}
    required = _required(base)
    if kind == "question":
        required = question_languages(base, adapt.added_parent(row))[1]
    changed = []
    for (sub, name, lang), text in texts.items():
        if (sub, name) not in allowed or lang not in base.languages:
            raise AuthoringError(_("This text cannot be edited here."))
        text = (text or "").replace("\r\n", "\n")
        obj = objects[sub]
        value = dict(getattr(obj, name) or {})
        if value.get(lang, "") == text:
            continue
        if lang in required and not text.strip():
            raise AuthoringError(_("A text in a language the course requires cannot be emptied (%(language)s).",
                                   language=lang))
        if text.strip():
            value[lang] = text
        else:
            value.pop(lang, None)
        setattr(obj, name, value)
        changed.append(f"{sub + ':' if sub else ''}{name}:{lang}")
    if kind == "question":
        if points is not None and item.type != "reflection" and points != item.points:
            if not 0 <= points <= 100:
                raise AuthoringError(_("Points go from 0 to 100."))
            item.points = float(points)
            changed.append("points")
        if correct is not None and item.type in ("single_choice", "multiple_response"):
            flags = [bool(correct.get(option.key)) for option in item.options]
            if flags != [option.weight > 0 for option in item.options]:
                for option, weight in zip(item.options, choice_weights(item.type, flags)):
                    option.weight = weight
                check_answerable(item)
                changed.append("correct")
        if answer is not None and item.type == "true_false" and answer != item.answer:
            item.answer = answer
            changed.append("answer")
    if not changed:
        return []
    before, row.payload = row.payload, _added(item, base.languages)
    db.session.flush()
    if added_item(adaptation, base, row) is None:
        _added_ok, problems = adapt.parse_added(adaptation.overrides, base, adaptation.country_code)
        row.payload = before
        db.session.flush()
        raise AuthoringError(_("These changes cannot be saved: %(problems)s",
                               problems="; ".join(p.message for p in problems if hasattr(p, "message"))))
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.edit", adaptation, country=adaptation.country_code,
          item=adapt.added_path(row), changed=changed)
    return changed


def set_course_texts(adaptation: Adaptation, base: CourseDoc, texts: dict[tuple[str, str], str],
                     actor: User | None) -> None:
    """The country's course title and summary per language (empty or equal to the base: follow the base)."""
    changed = []
    for (name, lang), text in texts.items():
        if name not in ("title", "summary") or lang not in base.languages:
            raise AuthoringError(_("This text cannot be replaced in an adaptation."))
        value = dict(getattr(adaptation, name) or {})
        text = (text or "").replace("\r\n", "\n").strip()
        if not text or text == getattr(base, name).get(lang):
            if value.pop(lang, None) is None:
                continue
        elif value.get(lang) == text:
            continue
        else:
            value[lang] = text
        setattr(adaptation, name, value)
        changed.append(f"{name}:{lang}")
    if changed:
        _touch(adaptation)
        db.session.flush()
        audit(actor, "adaptation.course_texts", adaptation, country=adaptation.country_code, changed=changed)


def remove_override(adaptation: Adaptation, row: Override, actor: User | None) -> None:
    """Drop one override: the item follows the base course again (or the local item goes)."""
    adaptation.overrides.remove(row)
    _touch(adaptation)
    db.session.flush()
    audit(actor, "adaptation.override.remove", adaptation, country=adaptation.country_code, kind=row.kind,
          item=row.target or row.after, field=row.field, lang=row.lang)


# --- conflicts ----------------------------------------------------------------------------------------------

RESOLUTIONS = ("keep", "base", "merge")


def resolve_conflict(adaptation: Adaptation, base: CourseDoc, row: Override, action: str,
                     merged_text: str | None, actor: User | None) -> None:
    """Settle a conflict: keep the country's text, take the new base text, or save a merged text.

    Keeping or merging re-anchors the override on the current base (its hash and text), so it stops being a
    conflict until the base changes again; taking the base removes the override. Recorded in the audit log.
    """
    if action not in RESOLUTIONS:
        raise AuthoringError(_("Choose how to resolve this change."))
    if action == "merge":
        if row.kind != "replace":
            raise AuthoringError(_("Only a replaced text can be merged."))
        if not (merged_text or "").strip():
            raise AuthoringError(_("Write the merged text."))
    hashes = item_hashes(base).get(row.target)
    if hashes is None:
        raise AuthoringError(_("This item is not in the base course."))
    details = {"item": row.target, "field": row.field, "lang": row.lang, "kind": row.kind}
    if action == "base":
        adaptation.overrides.remove(row)
    else:
        if row.kind == "replace":
            if action == "merge":
                row.text = merged_text.replace("\r\n", "\n")
            row.base_text = adapt.base_text(base, row.target, row.field, row.lang)
            row.base_hash = {row.lang: hashes[row.lang]} if row.lang in hashes else {}
        else:
            row.base_hash = dict(hashes)
        row.resolved_at, row.resolved_by_id = utcnow(), actor.id if actor else None
    _touch(adaptation)
    db.session.flush()
    audit(actor, f"adaptation.conflict.{action}", adaptation, country=adaptation.country_code, **details)


# --- review and publishing ----------------------------------------------------------------------------------


def submit_adaptation(adaptation: Adaptation, actor: User) -> None:
    """Mark the adaptation ready for review by someone else."""
    if adaptation.status == "review":
        raise AuthoringError(_("This adaptation is already waiting for review."))
    adaptation.status, adaptation.submitted_by_id = "review", actor.id
    db.session.add(ReviewSubmission(adaptation_id=adaptation.id, submitted_by_id=actor.id))
    db.session.flush()
    audit(actor, "adaptation.submit", adaptation, country=adaptation.country_code)


def add_comment(actor: User, body: str, path: str = "", *, adaptation: Adaptation | None = None,
                version: CourseVersion | None = None) -> ReviewComment:
    body = (body or "").strip()
    if not body:
        raise AuthoringError(_("Write a comment."))
    comment = ReviewComment(adaptation_id=adaptation.id if adaptation else None,
                            version_id=version.id if version else None, path=path or "", author_id=actor.id,
                            body=body)
    db.session.add(comment)
    db.session.flush()
    audit(actor, "review.comment", adaptation or version,
          country=adaptation.country_code if adaptation else None, path=path)
    return comment


def publish_adaptation(adaptation: Adaptation, base_version: CourseVersion, base: CourseDoc, actor: User,
                       note: str = "") -> CourseVersion:
    """Approve and publish: the country's resolved course becomes a new current version, atomically.

    :raises AuthoringError: not submitted, approved by its own submitter, or conflicts left.
    """
    if adaptation.status != "review":
        raise AuthoringError(_("Send the adaptation for review before publishing it."))
    if adaptation.submitted_by_id == actor.id and not actor.has_role("admin"):
        raise AuthoringError(_("Another trainer must approve what you submitted."))
    report = adapt.status_report(adaptation, base)
    if report.conflicts:
        raise AuthoringError(_("Resolve the %(n)s changes of the base course first.", n=len(report.conflicts)))
    from ..content.importer import build_version, local_paths

    doc = adapt.adaptation_doc(adaptation, base)
    resolved = adapt.resolved_course(adaptation, base)
    version = build_version(adaptation.course, resolved, lessons_html(resolved, base, base_version),
                            country=adaptation.country_code, base_version=base_version,
                            local=local_paths(base, doc), actor=actor, source="web", note=note or None)
    adaptation.status = "published"
    adaptation.base_version_id, adaptation.base_hashes = base_version.id, item_hashes(base)
    adaptation.published_at, adaptation.published_by_id = utcnow(), actor.id
    submission = db.session.scalar(select(ReviewSubmission).where(
        ReviewSubmission.adaptation_id == adaptation.id, ReviewSubmission.approved_at.is_(None)))
    if submission is not None:
        submission.approved_at, submission.approved_by_id = utcnow(), actor.id
    db.session.flush()
    audit(actor, "adaptation.publish", adaptation, country=adaptation.country_code, version=version.number,
          note=note)
    return version


def lessons_html(doc: CourseDoc, base: CourseDoc, base_version: CourseVersion) -> dict:
    """Rendered lessons of ``doc`` for ``build_version``: the base's stored HTML where the text is the base's,
    a fresh sanitized rendering where a trainer wrote it (images the base already serves keep their URL)."""
    from ..content.importer import MEDIA_URL, stored_lessons
    from ..content.services import load_version_tree

    stored = stored_lessons(load_version_tree(base_version.id))
    result = {}
    for module in doc.modules:
        for activity in module.activities:
            if activity.type != "lesson":
                continue
            path = f"{module.key}/{activity.key}"
            origin = base.activity(path)
            html, media = stored.get(path, ({}, {}))
            out_html, out_media = {}, {}
            known = {rel: name for names in media.values() for rel, name in names.items()}
            for lang, text in activity.body.items():
                if origin is not None and origin.body.get(lang) == text and lang in html:
                    out_html[lang] = html[lang]
                    if lang in media:
                        out_media[lang] = media[lang]
                    continue
                used = {}

                def rewrite(src: str, used=used, known=known) -> str:
                    name = known.get(src)
                    if name is None:
                        return src
                    used[src] = name
                    return MEDIA_URL + name

                out_html[lang] = render_markdown(text, rewrite_image=rewrite)
                if used:
                    out_media[lang] = used
            result[path] = (out_html, out_media)
    return result


def adaptation_file_data(adaptation: Adaptation, base: CourseDoc) -> dict:
    """The adaptation.yaml content for export (one entry per target, as people write them)."""
    return adaptation_data(adapt.adaptation_doc(adaptation, base, merged=True), base.languages)


def import_adaptation(course: Course, doc, base: CourseDoc, base_version: CourseVersion,
                      actor: User | None) -> Adaptation:
    """Create or replace a country's adaptation rows from a file's ``AdaptationDoc`` (file import)."""
    from ..content.writer import _added

    adaptation = find_adaptation(course, doc.country)
    hashes = item_hashes(base)
    if adaptation is None:
        adaptation = Adaptation(course=course, country_code=doc.country, base_version_id=base_version.id,
                                base_hashes=hashes, created_by_id=actor.id if actor else None)
        db.session.add(adaptation)
    adaptation.overrides.clear()
    adaptation.title, adaptation.summary = dict(doc.title), dict(doc.summary)
    position = 0
    for item in doc.overrides:
        position += 1
        if item.add is not None:  # "after" an item, or "first_in" a module or quiz (kept as the row's target)
            adaptation.overrides.append(Override(kind="add", after=item.after, target=item.first_in,
                                                 position=position, payload=_added(item.add, base.languages)))
            continue
        reference = {**hashes.get(item.target, {}), **item.base_hash}
        for name, texts in item.replace.items():
            for lang, text in texts.items():
                adaptation.overrides.append(Override(
                    kind="replace", target=item.target, field=name, lang=lang, text=text, position=position,
                    base_hash={lang: reference[lang]} if lang in reference else {},
                    base_text=adapt.base_text(base, item.target, name, lang)
                    if reference.get(lang) == hashes.get(item.target, {}).get(lang) else None))
        if item.hide:
            adaptation.overrides.append(Override(kind="hide", target=item.target, base_hash=reference,
                                                 position=position))
        if item.settings:
            adaptation.overrides.append(Override(kind="settings", target=item.target, base_hash=reference,
                                                 payload=dict(item.settings), position=position))
    from ..content.services import current_version

    variant = current_version(course, adaptation.country_code)
    if variant is not None and variant.country_code == adaptation.country_code and adaptation.published_at is None:
        # the file import already published this country's variant: the adaptation is live, so base changes
        # published on the web re-resolve it (and show conflicts) like any adaptation published on the web
        adaptation.status, adaptation.published_at = "published", variant.published_at or utcnow()
    db.session.flush()
    audit(actor, "adaptation.import", adaptation, country=adaptation.country_code, course=course.key)
    return adaptation
