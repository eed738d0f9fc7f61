"""Quiz attempts: start or resume, save an answer per page, practice draws until mastery, submit exactly once.

Scoring is the pure engine's (``quiz.scoring``) and happens here, on the server; a page only ever receives
opaque choice tokens. Submitting is one atomic ``UPDATE … WHERE submitted_at IS NULL``: a double click, the back
button or a replayed form records one submission.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..content.models import Activity, Course, CourseVersion
from ..content.models import Question as QuestionRow
from ..content.services import question_from_row
from ..extensions import db, utcnow
from ..places.models import Country
from ..quiz.model import Question
from ..quiz.scoring import mastery_reached, score_question, score_quiz, shuffle_order
from . import services
from .models import ActivityProgress, AttemptAnswer, Enrolment, QuizAttempt
from .questions import is_complete

#: time credited to a quiz for one attempt, at most
ATTEMPT_TIME_CAP_SECONDS = 2 * 3600


@dataclass(frozen=True)
class QuizRules:
    pass_mark: Optional[float]
    attempts: Optional[int]
    shuffle: bool
    immediate: bool
    mastery: Optional[tuple[int, int]]


def rules(settings: dict, completion: dict) -> QuizRules:
    """A quiz's rules from ``Activity.settings``, the pass mark defaulting to the course's."""
    pass_mark = settings.get("pass_mark")
    if pass_mark is None:
        pass_mark = (completion or {}).get("pass_mark")
    correct, of_last = settings.get("mastery_correct"), settings.get("mastery_of_last")
    mastery = (int(correct), int(of_last)) if correct and of_last else None
    attempts = settings.get("attempts")
    return QuizRules(pass_mark=float(pass_mark) if pass_mark is not None else None,
                     attempts=int(attempts) if attempts else None, shuffle=bool(settings.get("shuffle")),
                     immediate=settings.get("feedback") == "immediate", mastery=mastery)


def attempts_of(enrolment: Optional[Enrolment], path: str) -> list[QuizAttempt]:
    if enrolment is None:
        return []
    return list(db.session.scalars(select(QuizAttempt).where(QuizAttempt.enrolment_id == enrolment.id,
                                                             QuizAttempt.activity_path == path)
                                   .order_by(QuizAttempt.number)))


def start_attempt(outline: services.Outline, step: services.Step, existing: list[QuizAttempt]) -> QuizAttempt:
    """The open attempt to resume, or a new one. :raises LearnError: when no attempt is left."""
    open_attempt = next((a for a in existing if a.submitted_at is None), None)
    if open_attempt is not None:
        return open_attempt
    quiz_rules = rules(step.settings, outline.version.completion)
    if quiz_rules.attempts is not None and len(existing) >= quiz_rules.attempts:
        raise services.LearnError("limit")
    now = utcnow()
    attempt = QuizAttempt(enrolment_id=outline.enrolment.id, activity_path=step.path, version_id=outline.version.id,
                          number=max((a.number for a in existing), default=0) + 1, seed=secrets.randbelow(2**31),
                          is_practice=quiz_rules.mastery is not None, started_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a double click started the same attempt number: resume that one
        attempt = db.session.scalar(select(QuizAttempt).where(
            QuizAttempt.enrolment_id == outline.enrolment.id, QuizAttempt.activity_path == step.path,
            QuizAttempt.submitted_at.is_(None)))
        if attempt is None:
            raise
        return attempt
    if step.progress is None:
        services.progress_row(outline.enrolment, step.path, now)
    services.touch(outline.enrolment, now)
    return attempt


# --- one attempt, loaded in two statements ---------------------------------------------------------------------

@dataclass
class AttemptContext:
    attempt: QuizAttempt
    enrolment: Enrolment
    activity: Activity
    version: CourseVersion
    course: Course
    rows: list[QuestionRow]
    answers: list[AttemptAnswer]
    country_language: Optional[str] = None
    rules: QuizRules = field(init=False)
    models: dict[str, Question] = field(init=False)

    def __post_init__(self) -> None:
        self.rules = rules(self.activity.settings or {}, self.version.completion or {})
        self.models = {row.key: question_from_row(row) for row in self.rows}
        self._rendered = {row.key: row.rendered or {} for row in self.rows}

    def rendered(self, key: str) -> dict:
        return self._rendered.get(key, {})

    @property
    def order(self) -> list[str]:
        """Question keys in the order this attempt shows them (fixed by its seed)."""
        keys = [row.key for row in self.rows]
        if self.attempt.is_practice:  # practice draws only graded questions
            keys = [k for k in keys if self.models[k].type != "reflection"]
        return shuffle_order(keys, self.attempt.seed) if self.rules.shuffle or self.attempt.is_practice else keys

    def question_at(self, n: int) -> tuple[Optional[str], int]:
        """The question key and round shown on page ``n`` (1-based; practice pages cycle through the questions)."""
        order = self.order
        if not order or n < 1:
            return None, 0
        if self.attempt.is_practice:
            return order[(n - 1) % len(order)], (n - 1) // len(order)
        return (order[n - 1], 0) if n <= len(order) else (None, 0)

    def answer(self, key: str, round_: int = 0) -> Optional[AttemptAnswer]:
        return next((a for a in self.answers if a.question_key == key and a.round == round_), None)

    def answered(self, key: str, round_: int = 0) -> bool:
        answer = self.answer(key, round_)
        return answer is not None and is_complete(self.models[key], answer.response)

    @property
    def is_submitted(self) -> bool:
        return self.attempt.submitted_at is not None

    @property
    def first_open_page(self) -> int:
        """Where resuming goes: the first unanswered question (practice: the next draw)."""
        if self.attempt.is_practice:
            return self.draws_done + 1
        for n, key in enumerate(self.order, start=1):
            if not self.answered(key):
                return n
        return len(self.order) + 1  # all answered: the summary

    @property
    def draws_done(self) -> int:
        """Practice: how many draws were answered (a scenario counts once it ended)."""
        order = self.order
        n = 0
        while order:
            key, round_ = self.question_at(n + 1)
            if not self.answered(key, round_):
                return n
            n += 1
        return n

    def history(self) -> list[bool]:
        """Practice: right or wrong for each answered draw, oldest first."""
        marks = []
        for n in range(1, self.draws_done + 1):
            key, round_ = self.question_at(n)
            answer = self.answer(key, round_)
            marks.append(bool(answer.is_correct))
        return marks


def load_attempt(user: User, attempt_id: int) -> Optional[AttemptContext]:
    """The attempt with its quiz and questions (one statement) and its answers (a second one); None when it is
    not this user's attempt."""
    rows = db.session.execute(
        select(QuizAttempt, Enrolment, Activity, CourseVersion, Course, QuestionRow,
               select(Country.default_language).where(Country.code == Enrolment.country_code)
               .scalar_subquery().label("country_language"))
        .select_from(QuizAttempt)
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .join(Course, Course.id == Enrolment.course_id)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.version_id)
        .join(Activity, and_(Activity.version_id == QuizAttempt.version_id,
                             Activity.path == QuizAttempt.activity_path))
        .outerjoin(QuestionRow, QuestionRow.activity_id == Activity.id)
        .options(joinedload(QuestionRow.options))
        .where(QuizAttempt.id == attempt_id, Enrolment.user_id == user.id)
        .order_by(QuestionRow.position)
    ).unique().all()
    if not rows:
        return None
    attempt, enrolment, activity, version, course, _q, country_language = rows[0]
    answers = list(db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
                                      .order_by(AttemptAnswer.id)))
    return AttemptContext(attempt, enrolment, activity, version, course,
                          [row[5] for row in rows if row[5] is not None], answers, country_language)


# --- saving answers --------------------------------------------------------------------------------------------

def save_answer(ctx: AttemptContext, key: str, round_: int, response: Any, lang: str) -> AttemptAnswer:
    """Store (or replace) the response to one question; scored now, shown when the quiz says so.

    In immediate-feedback quizzes and practice an answer is final once complete (the learner saw the feedback).
    """
    q = ctx.models[key]
    result = score_question(q, response, lang)
    complete = is_complete(q, response)
    graded = result.graded and complete
    now = utcnow()
    answer = ctx.answer(key, round_)
    if answer is None:
        answer = AttemptAnswer(attempt_id=ctx.attempt.id, question_key=key, round=round_, response=response)
        try:
            with db.session.begin_nested():
                db.session.add(answer)
        except IntegrityError:  # the same page sent twice at once: update the row the other request wrote
            answer = db.session.scalar(select(AttemptAnswer).where(
                AttemptAnswer.attempt_id == ctx.attempt.id, AttemptAnswer.question_key == key,
                AttemptAnswer.round == round_))
        ctx.answers.append(answer)
    answer.response = response
    answer.fraction = result.fraction if graded else None
    answer.earned = result.earned if graded else None
    answer.is_correct = result.is_correct if graded else None
    answer.answered_at = now
    db.session.flush()
    if complete:
        services.record_event(ctx.enrolment, "question-answered", ctx.attempt.activity_path, attempt=ctx.attempt.id,
                              question=key, round=round_, response=response, correct=answer.is_correct,
                              fraction=answer.fraction)
        if (ctx.rules.immediate or ctx.attempt.is_practice) and answer.is_correct and ctx.course.is_playful:
            ctx.enrolment.points = (ctx.enrolment.points or 0) + services.POINTS_PER_CORRECT
    services.touch(ctx.enrolment, now)
    return answer


def is_locked(ctx: AttemptContext, key: str, round_: int = 0) -> bool:
    """Whether this question may no longer be changed."""
    if ctx.is_submitted:
        return True
    return (ctx.rules.immediate or ctx.attempt.is_practice) and ctx.answered(key, round_)


def mastered(ctx: AttemptContext) -> bool:
    """Practice: whether the mastery rule (m right of the last n draws) is met."""
    if not ctx.rules.mastery:
        return False
    correct, of_last = ctx.rules.mastery
    return mastery_reached(ctx.history(), correct, of_last)


# --- submitting ------------------------------------------------------------------------------------------------

@dataclass
class Submission:
    recorded: bool  #: False when the attempt was already submitted (a replay)
    percent: Optional[float] = None
    passed: Optional[bool] = None


def submit(ctx: AttemptContext, user: User, now: Optional[datetime] = None) -> Submission:
    """Score and close the attempt once; the side effects (progress, events, points, badges, completion) follow
    only for the request whose UPDATE changed the row."""
    now = now or utcnow()
    if ctx.attempt.is_practice:
        history = ctx.history()
        correct, of_last = ctx.rules.mastery
        last = history[-of_last:]
        percent = round(100.0 * sum(last) / len(last), 2) if last else 0.0
        passed, earned, max_points = mastery_reached(history, correct, of_last), float(sum(last)), float(len(last))
    else:
        questions = [ctx.models[k] for k in ctx.order]
        responses = {k: a.response for k in ctx.order if (a := ctx.answer(k)) is not None}
        result = score_quiz(questions, responses, ctx.rules.pass_mark)
        percent, passed, earned, max_points = result.percent, result.passed, result.earned, result.max_points
    changed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == ctx.attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, score=percent, points=earned, max_points=max_points, passed=passed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return Submission(recorded=False)
    practice = ctx.attempt.is_practice
    db.session.expire(ctx.attempt)
    path = ctx.attempt.activity_path
    progress = services.progress_row(ctx.enrolment, path, now)
    progress.best_score = max(progress.best_score or 0.0, percent) if progress.best_score is not None else percent
    started = ctx.attempt.started_at
    elapsed = int((now - started).total_seconds()) if started else 0
    progress.time_spent_seconds = (progress.time_spent_seconds or 0) + max(0, min(elapsed, ATTEMPT_TIME_CAP_SECONDS))
    progress.last_seen_at = now
    newly_done = passed and progress.status != "done"
    if newly_done:
        progress.status, progress.completed_at = "done", now
    services.record_event(ctx.enrolment, "quiz-passed" if passed else "quiz-failed", path, attempt=ctx.attempt.id,
                          score=percent, pass_mark=ctx.rules.pass_mark)
    if ctx.course.is_playful:
        if not ctx.rules.immediate and not ctx.attempt.is_practice:
            right = sum(1 for a in ctx.answers if a.round == 0 and a.is_correct)
            ctx.enrolment.points = (ctx.enrolment.points or 0) + services.POINTS_PER_CORRECT * right
        if max_points and percent >= 100.0:
            services.award_badge(ctx.enrolment, "perfect-round")
    if not practice:
        services.refresh_quiz_score(ctx.enrolment)
    services.touch(ctx.enrolment, now)
    if newly_done:
        db.session.flush()
        outline = services.load_outline(user, ctx.course.key)
        if outline is not None and outline.enrolment is not None:
            services.after_progress(outline, now)
    return Submission(recorded=True, percent=percent, passed=passed)


def best_scores(enrolment_id: int) -> dict[str, Optional[float]]:
    rows = db.session.execute(select(ActivityProgress.activity_path, ActivityProgress.best_score)
                              .where(ActivityProgress.enrolment_id == enrolment_id)).all()
    return {path: score for path, score in rows}


def attempt_count(enrolment_id: int, path: str) -> int:
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(QuizAttempt.enrolment_id == enrolment_id,
                                                                      QuizAttempt.activity_path == path)) or 0
