"""Moodle GIFT import/export: every syntax feature, problems reported by line, and stable round trips."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recosa_learn.content.gift import (GiftExportError, escape_markdown, parse_gift, slugify, unescape_markdown,
                                       write_gift)
from recosa_learn.quiz.model import (Blank, Choice, NumericAnswer, OrderItem, Pair, Question, ScenarioNode,
                                     TextAnswer)
from recosa_learn.quiz.scoring import correct_response, score_question

DATA = Path(__file__).resolve().parents[1] / "data" / "gift"


def fr(text: str) -> dict[str, str]:
    return {"fr": text}


def one(gift: str, lang: str = "fr") -> Question:
    """The single question of ``gift``, which must parse without problems."""
    result = parse_gift(gift, lang)
    assert result.problems == []
    assert len(result.questions) == 1
    return result.questions[0]


def problems(gift: str) -> list[tuple[int, str]]:
    result = parse_gift(gift)
    assert result.problems, "expected a problem"
    return result.problems


def assert_fixed_point(questions: list[Question], lang: str = "fr") -> str:
    text = write_gift(questions, lang)
    again = parse_gift(text, lang)
    assert again.problems == []
    assert again.questions == questions
    return text


# --- the sample banks -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def french() -> list[Question]:
    result = parse_gift((DATA / "migration-fr.gift").read_text(encoding="utf-8"))
    assert result.problems == []
    return result.questions


def test_french_bank_keys_types_and_categories(french):
    assert [(q.key, q.type) for q in french] == [
        ("definition-du-migrant", "fill_blanks"), ("pays-de-la-cedeao", "multiple_response"),
        ("libre-circulation", "true_false"), ("visa-maroc", "true_false"), ("fausse-promesse", "true_false"),
        ("droit-d-asile", "true_false"), ("capitale-du-senegal", "short_answer"),
        ("associer-les-capitales", "matching"), ("distance-dakar-bamako", "numerical"),
        ("annee-du-protocole", "numerical"), ("taux", "numerical"), ("meteo-du-depart", "fill_blanks"),
        ("mot-manquant", "fill_blanks"), ("reflexion-personnelle", "reflection"), ("texte-brut", "short_answer"),
        ("texte-moodle", "true_false"), ("sauts-de-ligne", "single_choice"), ("q18", "single_choice")]
    assert {q.category for q in french[:13]} == {"$course$/Migration sûre/Notions"}
    assert {q.category for q in french[13:]} == {"$course$/Migration sûre/Réflexion"}
    assert french[0].title == "Définition du migrant"


def test_french_bank_missing_word_with_feedback_and_general_feedback(french):
    q = french[0]
    assert q.text == fr("Selon l'OIM, un migrant est une personne qui [[b1]] habituelle, au sein d'un pays ou "
                        "par-delà une frontière.")
    options = q.blanks[0].options
    assert [(o.key, o.text, o.weight) for o in options] == [
        ("a", fr("quitte son lieu de résidence habituelle"), 100.0),
        ("b", fr("a obtenu le statut de réfugié"), 0.0), ("c", fr("traverse une frontière"), 50.0)]
    assert options[2].feedback == fr("À moitié : on peut migrer à l'intérieur d'un pays.")
    assert q.general_feedback == fr("Glossaire de l'OIM sur la migration, 2019.")
    assert score_question(q, {"b1": "c"}).fraction == 0.5


def test_french_bank_multiple_response_thirds_and_negative(french):
    q = french[1]
    assert [o.weight for o in q.options] == [33.33333, 33.33333, 33.33333, -100.0]
    assert q.options[3].feedback == fr("Non : le Maroc a demandé son adhésion en 2017.")
    assert score_question(q, ["a", "b", "c"]).is_correct
    assert score_question(q, ["a", "b", "c", "d"]).fraction == 0.0


def test_french_bank_true_false_feedbacks(french):
    free, visa, promise, asylum = french[2:6]
    assert (free.answer, free.feedback_true, free.feedback_false) == (
        True, fr("Oui, c'est le protocole A/P1/5/79."), fr("Relisez le protocole."))
    assert (visa.answer, visa.feedback_true, visa.feedback_false) == (False, fr("Non, ils en sont dispensés."), {})
    assert (promise.answer, promise.feedback_true, promise.feedback_false) == (False, {}, {})
    assert (asylum.answer, asylum.general_feedback) == (True, fr("Article 14."))


def test_french_bank_short_answer_matching_numerical(french):
    capital, match, distance, year, rate = french[6:11]
    assert [(a.text, a.weight) for a in capital.answers] == [(fr("Dakar"), 100.0), (fr("Saint-Louis"), 50.0),
                                                              (fr("*"), 0.0)]
    assert score_question(capital, "dakar").is_correct and score_question(capital, "Thiès").feedback == [fr("Non.")]
    assert match.text == fr("Associez chaque <b>pays</b> à sa capitale.")
    assert [(p.key, p.prompt, p.answer) for p in match.pairs] == [
        ("a", fr("Sénégal"), fr("Dakar")), ("b", fr("Mali"), fr("Bamako")),
        ("c", fr("**Côte d'Ivoire**"), fr("Yamoussoukro")), ("d", fr("Maroc"), fr("Rabat")), ("e", {}, fr("Lagos"))]
    assert distance.numeric_answers == [
        NumericAnswer(value=1250, tolerance=100, feedback=fr("Environ 1 250 km.")),
        NumericAnswer(min=900, max=1600, weight=50, feedback=fr("C'est l'ordre de grandeur.")),
        NumericAnswer(weight=0, feedback=fr("Consultez une carte."))]
    assert score_question(distance, "1 300").is_correct and score_question(distance, "1500").fraction == 0.5
    assert year.numeric_answers == [NumericAnswer(value=1979)]
    assert rate.numeric_answers == [NumericAnswer(value=2.5, tolerance=0.25)]
    assert rate.text == fr("Quel taux d'intérêt (en %) est annoncé ?")


def test_french_bank_formats_escapes_and_lines(french):
    weather, missing, reflection, plain, moodle, lines, untitled = french[11:]
    assert weather.text == fr("Il fait [[b1]] temps pour partir quand on a des papiers en règle.")
    assert [a.text for a in missing.blanks[0].answers] == [fr("Yamoussoukro"), fr("Abidjan")]
    assert (reflection.points, reflection.text) == (0.0, fr("Qu'est-ce qui, *pour vous*, rendrait un départ "
                                                            "**sûr** ?"))
    assert plain.text == fr(r"Un texte \<brut> avec des \*étoiles\* et un # dièse.")
    assert moodle.text == fr(r"Un texte au format \*Moodle\* : 2 = 1 + 1 ; accolades { } ; tilde \~.")
    assert lines.text == fr("Première ligne\nDeuxième ligne, avec une barre oblique inverse \\\\ au milieu.")
    assert untitled.text == fr("Une question sans titre,\nécrite sur plusieurs lignes,\net sans titre.")


def test_french_bank_round_trip(french):
    text = assert_fixed_point(french)
    assert text.count("$CATEGORY:") == 2
    assert "::Définition du migrant::[markdown]Selon l'OIM" in text


def test_arabic_bank():
    result = parse_gift((DATA / "migration-ar.gift").read_text(encoding="utf-8"), lang="ar")
    assert result.problems == []
    questions = result.questions
    assert [(q.key, q.type, q.title) for q in questions] == [
        ("q1", "single_choice", "مهاجر"), ("q2", "true_false", "حرية التنقل"), ("q3", "short_answer", "العاصمة"),
        ("q4", "numerical", "مدة الإقامة"), ("q5", "reflection", "تأمل")]
    assert {q.category for q in questions} == {"الهجرة الآمنة"}
    assert questions[0].text == {"ar": "مَن هو المهاجر وفقًا للمنظمة الدولية للهجرة؟"}
    assert questions[1].feedback_true == {"ar": "أحسنت."} and questions[1].feedback_false == {
        "ar": "أعد قراءة البروتوكول."}
    capital = questions[2]
    assert capital.answers[0].text == {"ar": "الرِّبَاط"}
    assert score_question(capital, "الرباط", lang="ar").is_correct
    assert score_question(capital, "الدار البيضاء", lang="ar").fraction == 0.5
    assert questions[3].numeric_answers == [NumericAnswer(min=1, max=90)]
    assert_fixed_point(questions, lang="ar")


# --- syntax features ------------------------------------------------------------------------------------------

def test_comments_blank_lines_and_line_numbers():
    gift = ("// a comment\n\n// another\n::A::One?{T}\n\n\n   \n// between\n::B:: Two\n// inside\nlines?{F}\n"
            "\n::C::Broken{=a\n")
    result = parse_gift(gift)
    assert [(q.key, q.text) for q in result.questions] == [("a", fr("One?")), ("b", fr("Two\nlines?"))]
    assert result.problems == [(13, 'unclosed "{": the answers have no closing "}"')]


def test_windows_line_endings_and_byte_order_mark():
    result = parse_gift("\ufeff::A::Un ?{T}\r\n\r\n::B::Deux ?{F}\r\n")
    assert [(q.key, q.answer) for q in result.questions] == [("a", True), ("b", False)]


@pytest.mark.parametrize("gift, text", [
    ("Un *texte*?{T}", r"Un \*texte\*?"),
    ("[moodle]Un *texte*?{T}", r"Un \*texte\*?"),
    ("[plain]<b>x</b> _y_ \\#1{T}", r"\<b>x\</b> \_y\_ #1"),
    ("[markdown]Un *texte* ?{T}", "Un *texte* ?"),
    ("[html]<p>Un <i>texte</i></p>{T}", "<p>Un <i>texte</i></p>"),
    ("[foo]bar{T}", r"\[foo\]bar"),
    ("# titre\n- liste\n1. un\n> cite\n= souligné{T}", "\\# titre\n\\- liste\n1\\. un\n\\> cite\n\\= souligné"),
    ("Q&amp;R & co{T}", r"Q\&amp;R & co"),
])
def test_text_formats_become_markdown(gift, text):
    assert one(gift).text == fr(text)


def test_answers_take_the_question_format_unless_they_have_their_own():
    q = one("[html]Q <b>?</b>{=<i>a</i>#<b>ok</b> ~[plain]<i>b</i> ~[markdown]*c*#[moodle]*no*}")
    assert [o.text for o in q.options] == [fr("<i>a</i>"), fr(r"\<i>b\</i>"), fr("*c*")]
    assert [o.feedback for o in q.options] == [fr("<b>ok</b>"), {}, fr(r"\*no\*")]


def test_escapes():
    q = one(r"::A\: b::Is 1 \= 1 \{really\} \~ \# \\ here\nnext?{=yes\#1 ~no\~#fb \= ok}")
    assert q.title == "A: b"
    assert q.text == fr("Is 1 = 1 {really} \\~ # \\\\ here\nnext?")
    assert [(o.text, o.feedback) for o in q.options] == [(fr("yes#1"), {}), (fr(r"no\~"), fr("fb = ok"))]


def test_unknown_backslash_sequences_are_kept():
    assert one(r"Path C:\temp\x ?{T}").text == fr(r"Path C:\\temp\\x ?")


@pytest.mark.parametrize("answer, value", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_spellings(answer, value):
    q = one(f"Vrai ?{{{answer}}}")
    assert (q.type, q.answer) == ("true_false", value)


def test_true_false_feedback_goes_by_rightness():
    q = one("Le ciel est vert.{FALSE#shown if learner is wrong#shown if right####general}")
    assert q.feedback_true == fr("shown if learner is wrong")
    assert q.feedback_false == fr("shown if right")
    assert q.general_feedback == fr("general")
    q = one("Le ciel est bleu.{TRUE#shown if learner is wrong#shown if right}")
    assert q.feedback_true == fr("shown if right") and q.feedback_false == fr("shown if learner is wrong")
    assert score_question(q, False).feedback == [fr("shown if learner is wrong")]


def test_lowercase_true_is_a_short_answer_as_in_moodle():
    q = one("Vrai ?{true}")
    assert q.type == "short_answer" and q.answers == [TextAnswer(fr("true"))]


def test_single_choice_with_partial_and_negative_weights():
    q = one("Q ?{=a ~%50%b ~%-25%c#aïe ~d}")
    assert q.type == "single_choice"
    assert [(o.key, o.weight, o.feedback) for o in q.options] == [
        ("a", 100.0, {}), ("b", 50.0, {}), ("c", -25.0, fr("aïe")), ("d", 0.0, {})]


def test_multiple_response_needs_no_equals_sign():
    q = one("Q ?{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-100%d}")
    assert q.type == "multiple_response"
    assert [o.weight for o in q.options] == [33.33333, 33.33333, 33.33334, -100.0]
    q = one("Q ?{~%100%a ~b}")
    assert q.type == "multiple_response" and [o.weight for o in q.options] == [100.0, 0.0]


def test_short_answer_weights_feedback_and_catch_all():
    q = one("Q ?{=Dakar#oui =%50%Saint Louis#presque =%0%*#non####capitale}")
    assert q.answers == [TextAnswer(fr("Dakar"), 100, fr("oui")), TextAnswer(fr("Saint Louis"), 50, fr("presque")),
                         TextAnswer(fr("*"), 0, fr("non"))]
    assert q.general_feedback == fr("capitale")
    assert one("Q ?{Dakar}").answers == [TextAnswer(fr("Dakar"))]


def test_matching_with_distractor_and_arrows_in_answers():
    q = one("Associez.{=Sénégal -> Dakar =Mali->Bamako = -> Lagos =Maroc -> Rabat -> ville}")
    assert [(p.key, p.prompt, p.answer) for p in q.pairs] == [
        ("a", fr("Sénégal"), fr("Dakar")), ("b", fr("Mali"), fr("Bamako")), ("c", {}, fr("Lagos")),
        ("d", fr("Maroc"), fr("Rabat -> ville"))]


@pytest.mark.parametrize("block, answers", [
    ("{#1822}", [NumericAnswer(value=1822)]),
    ("{#1822:5}", [NumericAnswer(value=1822, tolerance=5)]),
    ("{#3.141..3.142}", [NumericAnswer(min=3.141, max=3.142)]),
    ("{#-5..-3}", [NumericAnswer(min=-5, max=-3)]),
    ("{#-2.5:0.5}", [NumericAnswer(value=-2.5, tolerance=0.5)]),
    ("{# =%50%1822:2 =1822:0}", [NumericAnswer(value=1822, tolerance=2, weight=50), NumericAnswer(value=1822)]),
    ("{#3:2~#Completely wrong}", [NumericAnswer(value=3, tolerance=2), NumericAnswer(weight=0, feedback=fr(
        "Completely wrong"))]),
    ("{#=5#bien =%20%*#autre}", [NumericAnswer(value=5, feedback=fr("bien")), NumericAnswer(weight=20, feedback=fr(
        "autre"))]),
    ("{#1e3}", [NumericAnswer(value=1000)]),
])
def test_numerical_forms(block, answers):
    q = one("Combien ?" + block)
    assert q.type == "numerical" and q.numeric_answers == answers


def test_missing_word_becomes_a_one_blank_fill_in():
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.type == "fill_blanks" and q.text == fr("Grant is [[b1]] in Grant's tomb.")
    assert [(o.key, o.text, o.weight) for o in q.blanks[0].options] == [
        ("a", fr("buried"), 0.0), ("b", fr("entombed"), 100.0), ("c", fr("living"), 0.0)]
    assert q.blanks[0].answers == []
    assert score_question(q, correct_response(q)).is_correct
    typed = one("Two plus two equals {=four =4}.")
    assert typed.type == "fill_blanks" and typed.text == fr("Two plus two equals [[b1]].")
    assert [a.text for a in typed.blanks[0].answers] == [fr("four"), fr("4")]
    assert one("{=Dakar ~Thiès} est la capitale.").text == fr("[[b1]] est la capitale.")


def test_text_after_other_answer_blocks_keeps_moodle_blank():
    assert one("Pi ? {#3.1415:0.0005}.").text == fr(r"Pi ? \_\_\_\_\_.")
    q = one('::Q1:: 42 is the answer.{FALSE#wrong#right}";')
    assert (q.type, q.text, q.feedback_true) == ("true_false", fr(r'42 is the answer.\_\_\_\_\_";'), fr("wrong"))
    assert one("[markdown]Pick {~%50%a ~%50%b ~c} now.").text == fr("Pick _____ now.")
    assert one("Écrivez {} ici.").text == fr(r"Écrivez \_\_\_\_\_ ici.")


def test_essay_becomes_an_ungraded_reflection():
    q = one("::Q8:: How are you? {}")
    assert (q.type, q.points, q.text, q.key) == ("reflection", 0.0, fr("How are you?"), "q8")
    assert one("Pourquoi ?{####Merci}").general_feedback == fr("Merci")


def test_titles_give_unique_stable_keys():
    gift = "\n\n".join(["::Élève âgé::A{T}", "::Élève âgé::B{T}", "C{T}", "::  ::D{T}", "::Q3::E{T}",
                        "::مهاجر::F{T}", "::" + "x" * 80 + "::G{T}", "::" + "x" * 80 + "::H{T}"])
    assert [q.key for q in parse_gift(gift).questions] == [
        "eleve-age", "eleve-age-2", "q3", "q4", "q3-2", "q6", "x" * 64, "x" * 62 + "-2"]
    assert slugify("Jesus' hometown (Short answer ex.)") == "jesus-hometown-short-answer-ex"


def test_fallback_keys_count_every_question_even_broken_ones():
    result = parse_gift("A{T}\n\nB{~x ~y}\n\nC{T}")
    assert [q.key for q in result.questions] == ["q1", "q3"]
    assert result.problems[0][0] == 3


def test_categories_apply_to_following_questions():
    gift = "A{T}\n\n$CATEGORY: tom/dick\n\nB{T}\n\n// c\n$CATEGORY: harry\nC{T}\n\n$CATEGORY:\n\nD{T}"
    result = parse_gift(gift)
    assert result.problems == []
    assert [(q.key, q.category) for q in result.questions] == [("q1", ""), ("q2", "tom/dick"), ("q3", "harry"),
                                                                ("q4", "")]
    assert_fixed_point(result.questions)


def test_multi_line_question_with_general_feedback_and_feedback_lines():
    q = one("::N::When?{#\n   =1822:0  #Correct!\n   =%50%1822:2 #Close.\n      Half credit.\n####See a book.\n}")
    assert q.numeric_answers[1].feedback == fr("Close.\n      Half credit.")
    assert q.general_feedback == fr("See a book.")


# --- problems -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gift, line, message", [
    ("\n// c\nQ ?{=a ~b\n\nNext{T}", 3, 'unclosed "{": the answers have no closing "}"'),
    ("Q ?}=a{", 1, '"}" without an opening "{" (write \\} for a literal brace)'),
    ("Q ?=a}", 1, '"}" without an opening "{" (write \\} for a literal brace)'),
    ("Q { ?{=a ~b}", 1, '"{" inside the answers (unclosed brace, or write \\{ for a literal brace)'),
    ("Q ?{=a ~b} and {=c ~d}", 1, "more than one block of answers in braces (write \\{ and \\} for literal braces)"),
    ("Just a description.", 1, 'no answers in braces {…}: a text without a question (Moodle "description") is '
                               "not supported"),
    ("Q ?{~a ~b ~c}", 1, 'no correct answer (mark it with "=", or weight the right answers with %n%)'),
    ("Q ?{~%50%a ~%20%b}", 1, "the positive weights add up to 70%, not 100%"),
    ("Q ?{~%100%a}", 1, "a multiple-choice question needs at least 2 answers"),
    ("Q ?{=a ~#only feedback}", 1, "an answer has no text"),
    ("Q ?{#abc}", 1, '"abc" is not a number'),
    ("Q ?{#5:x}", 1, '"x" is not a number'),
    ("Q ?{#5:-1}", 1, 'the tolerance in "5:-1" is negative'),
    ("Q ?{#9..1}", 1, 'the range "9..1" starts above its end'),
    ("Q ?{#}", 1, "a numerical question needs at least one number"),
    ("Q ?{#=%50%5}", 1, "no correct answer (no number or range is worth 100%)"),
    ("Q ?{~%abc%x =y}", 1, 'invalid weight "%abc%"'),
    ("Q ?{~%150%x ~y}", 1, "weight 150% is outside -100..100"),
    ("Q ?{=%50%x}", 1, "no correct answer (no answer is worth 100%)"),
    ("Q ?{=a -> 1 =b}", 1, 'a matching answer has no "->": "b"'),
    ("Q ?{=a -> 1 = -> 2}", 1, "a matching question needs at least 2 pairs with a left side"),
    ("Q ?{=a -> 1 =b ->}", 1, 'a matching pair has nothing after its "->"'),
    ("::Titre sans fin Q ?{T}", 1, 'the title has no closing "::"'),
    ("::T::{T}", 1, "the question has no text"),
])
def test_problems_are_reported_by_the_first_line(gift, line, message):
    assert problems(gift) == [(line, message)]


def test_a_problem_does_not_stop_the_other_questions():
    result = parse_gift("::A::Un ?{T}\n\n::B::Deux ?{#deux}\n\n::C::Trois ?{F}")
    assert [q.key for q in result.questions] == ["a", "c"]
    assert result.problems == [(3, '"deux" is not a number')]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("{}~=#:%->.\\ \nTF1aé[]/$CATEGORY*")), max_size=60))
def test_parsing_never_raises(text):
    result = parse_gift(text)
    for question in result.questions:
        write_gift([question])


# --- writing --------------------------------------------------------------------------------------------------

def test_writer_output_shape():
    q = Question(key="k", type="single_choice", text=fr("Quelle ville ?"), title="Ville",
                 general_feedback=fr("Voir la carte."),
                 options=[Choice("a", fr("Dakar"), 100, fr("Oui")), Choice("b", fr("Thiès"), 0),
                          Choice("c", fr("Touba"), 25)])
    assert write_gift([q]) == ("::Ville::[markdown]Quelle ville ?{\n\t=Dakar#Oui\n\t~Thiès\n\t~%25%Touba\n"
                               "\t####Voir la carte.\n}\n")
    tf = Question(key="v", type="true_false", text=fr("Vrai ?"), answer=True, feedback_false=fr("Non"))
    assert write_gift([tf]) == "[markdown]Vrai ?{TRUE#Non}\n"


def test_writer_handles_corner_cases_so_the_round_trip_holds():
    questions = [
        Question(key="q1", type="single_choice", text=fr("Deux bonnes réponses"),
                 options=[Choice("a", fr("x"), 100), Choice("b", fr("y"), 100)]),
        Question(key="q2", type="single_choice", text=fr("[html] n'est pas un format ici"),
                 options=[Choice("a", fr("%50% de remise"), 100), Choice("b", fr("%20%"), 0, fr("[plain]fb"))]),
        Question(key="q3", type="short_answer", text=fr("Taux ?"),
                 answers=[TextAnswer(fr("%5"), 100), TextAnswer(fr("[html]x"), 100, fr("voir -> ici"))]),
        Question(key="q4", type="numerical", text=fr("N ?"),
                 numeric_answers=[NumericAnswer(weight=0), NumericAnswer(value=0.1 + 0.2, tolerance=1e-9),
                                  NumericAnswer(weight=0, feedback=fr("autre"))]),
        Question(key="q5", type="matching", text=fr("M"),
                 pairs=[Pair("a", fr("a -> b"), fr("c")), Pair("b", fr("d"), fr(r"e \* f"))]),
        Question(key="q6", type="true_false", text=fr("Ligne 1\n// pas un commentaire"), answer=False,
                 feedback_false=fr("bien"), general_feedback=fr("###")),
    ]
    parsed = parse_gift(write_gift(questions)).questions
    assert [o.weight for o in parsed[0].options] == [100.0, 100.0] and parsed[0].type == "single_choice"
    assert parsed[1].text == fr("[html] n'est pas un format ici")
    assert [o.text for o in parsed[1].options] == [fr("%50% de remise"), fr("%20%")]
    assert parsed[1].options[1].feedback == fr("[plain]fb")
    assert parsed[2].type == "short_answer" and [a.text for a in parsed[2].answers] == [fr("%5"), fr("[html]x")]
    assert parsed[2].answers[1].feedback == fr(r"voir -\> ici")
    assert parsed[3].numeric_answers == questions[3].numeric_answers
    assert parsed[4].pairs[0].prompt == fr(r"a -\> b") and parsed[4].pairs[1].answer == fr(r"e \* f")
    assert parsed[5].text == questions[5].text and parsed[5].general_feedback == fr("###")
    assert_fixed_point(parsed)


def test_fill_blanks_with_the_blank_at_the_end_exports_as_a_plain_question():
    q = Question(key="f", type="fill_blanks", text=fr("La capitale du Sénégal est [[b1]]"),
                 blanks=[Blank("b1", answers=[TextAnswer(fr("Dakar"))])])
    parsed = one(write_gift([q]))
    assert parsed.type == "short_answer" and parsed.text == fr("La capitale du Sénégal est")


def test_export_refuses_what_gift_cannot_hold():
    questions = [
        Question(key="ord", type="ordering", text=fr("?"), items=[OrderItem("a", fr("1")), OrderItem("b", fr("2"))]),
        Question(key="sc", type="scenario", text=fr("?"), start="n", nodes=[ScenarioNode("n", fr("fin"))]),
        Question(key="two", type="fill_blanks", text=fr("[[x]] et [[y]]"), blanks=[Blank("x"), Blank("y")]),
        Question(key="en", type="true_false", text={"en": "True?"}, answer=True),
        Question(key="arrow", type="short_answer", text=fr("?"), answers=[TextAnswer(fr("a->b"))]),
        Question(key="ok", type="true_false", text=fr("Vrai ?"), answer=True),
        Question(key="none", type="true_false", text=fr("Vrai ?")),
        Question(key="nomark", type="fill_blanks", text=fr("sans marqueur"), blanks=[Blank("b1", answers=[
            TextAnswer(fr("x"))])]),
    ]
    with pytest.raises(GiftExportError) as error:
        write_gift(questions)
    assert error.value.problems == [
        ("ord", "ordering questions have no GIFT equivalent"),
        ("sc", "scenario questions have no GIFT equivalent"),
        ("two", "GIFT has room for one blank only"),
        ("en", "the question has no text in fr"),
        ("arrow", 'the answer "a->b" contains "->", which GIFT would read as matching'),
        ("none", "a true/false question without its answer"),
        ("nomark", "the fr text needs exactly one [[b1]]"),
    ]


def test_export_language_is_chosen():
    q = Question(key="k", type="single_choice", text={"fr": "Oui ?", "en": "Yes?"},
                 options=[Choice("a", {"fr": "oui", "en": "yes"}, 100), Choice("b", {"fr": "non", "en": "no"})])
    assert one(write_gift([q], lang="en"), lang="en").text == {"en": "Yes?"}


# --- Markdown escaping and the round trip as a property -------------------------------------------------------

plain_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co")), min_size=1, max_size=30)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_unescape_inverts_escape(text):
    assert unescape_markdown(escape_markdown(text)) == text


def clean(text: str) -> str:
    return text.strip()


texts = plain_text.map(clean).filter(bool)
md_texts = texts.filter(lambda s: "[[" not in s)
weights = st.sampled_from([-100.0, -50.0, 0.0, 12.5, 50.0, 33.33333])
feedbacks = st.one_of(st.just({}), md_texts.map(fr))


@st.composite
def gift_questions(draw):
    """Questions in the form the parser produces, of every type GIFT can hold."""
    kind = draw(st.sampled_from(["single_choice", "multiple_response", "true_false", "short_answer", "numerical",
                                 "matching", "reflection", "fill_options", "fill_typed"]))
    title = draw(st.one_of(st.just(""), texts))
    q = Question(key=slugify(title) or "q1", type=kind, text=fr(draw(md_texts)), title=title,
                 general_feedback=draw(feedbacks), category=draw(st.sampled_from(["", "a/b", "Catégorie"])))
    options = [Choice(chr(97 + i), fr(draw(md_texts)), draw(weights), draw(feedbacks))
               for i in range(draw(st.integers(2, 4)))]
    answers = [TextAnswer(fr(draw(texts.filter(lambda s: "->" not in s))), draw(weights), draw(feedbacks).copy())
               for _ in range(draw(st.integers(0, 2)))]
    answers.append(TextAnswer(fr(draw(texts.filter(lambda s: "->" not in s))), 100.0, draw(feedbacks)))
    for a in answers:
        a.feedback = {k: v.replace("->", "=") for k, v in a.feedback.items()}
    if kind in ("single_choice", "fill_options"):
        options[draw(st.integers(0, len(options) - 1))].weight = 100.0
    if kind == "multiple_response":
        for o in options:
            o.weight = min(o.weight, 0.0)
        options[0].weight = options[-1].weight = 50.0
    if kind in ("single_choice", "multiple_response"):
        q.options = options
    elif kind == "true_false":
        q.answer, q.feedback_true, q.feedback_false = draw(st.booleans()), draw(feedbacks), draw(feedbacks)
    elif kind == "short_answer":
        q.answers = answers
    elif kind == "numerical":
        number = st.floats(-1e9, 1e9, allow_nan=False)
        q.numeric_answers = [NumericAnswer(value=draw(number), tolerance=draw(st.floats(0, 1e3)), weight=100.0,
                                           feedback=draw(feedbacks)),
                             NumericAnswer(min=-1.5, max=draw(st.floats(-1.5, 1e6)), weight=draw(weights))]
        if draw(st.booleans()):
            q.numeric_answers.append(NumericAnswer(weight=0.0, feedback=draw(feedbacks)))
    elif kind == "matching":
        q.pairs = [Pair(chr(97 + i), fr(draw(md_texts.filter(lambda s: "->" not in s))),
                        fr(escape_markdown(draw(texts)))) for i in range(draw(st.integers(2, 4)))]
        if draw(st.booleans()):
            q.pairs.append(Pair(chr(97 + len(q.pairs)), {}, fr(escape_markdown(draw(texts)))))
    elif kind == "reflection":
        q.points = 0.0
    else:
        q.type = "fill_blanks"
        q.text = fr(draw(md_texts) + " [[b1]] " + draw(md_texts))
        q.blanks = [Blank("b1", options=options) if kind == "fill_options" else Blank("b1", answers=answers)]
    return q


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(gift_questions())
def test_write_then_parse_gives_the_same_question(q):
    assert parse_gift(write_gift([q])).questions == [q]


def test_round_trip_of_a_bank_with_many_categories():
    questions = [replace(one("::A::Un ?{T}"), category="x"), replace(one("::B::Deux ?{F}"), category="")]
    assert_fixed_point(questions)
