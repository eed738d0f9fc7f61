"""Certificates: the PDF in the learner's language, the public check page, revoking."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa


def _complete(client, user, lh, db, course="example-course"):
    from recosa_learn.learn import services

    lh.post(client, f"/courses/{course}/enrol")
    outline = services.load_outline(user, course)
    completion = services.complete_course(outline, services.utcnow())
    db.session.commit()
    return completion.certificate_code


def test_certificate_pdf(example, learner, lh, db):
    client, user = learner("SN", language="fr")
    code = _complete(client, user, lh, db)
    response = client.get(f"/certificates/{code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    other, _ = learner("SN")
    assert other.get(f"/certificates/{code}.pdf").status_code == 404  # only the learner downloads it


def test_certificate_pdf_in_arabic(example, learner, lh, db, app):
    from recosa_learn.learn.certificates import CertificateData, certificate_pdf

    client, user = learner("MA", language="ar", name="فاطمة الزهراء")
    code = _complete(client, user, lh, db)
    response = client.get(f"/certificates/{code}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    with app.test_request_context():
        pdf = certificate_pdf(CertificateData(name="فاطمة", course_title="مثال: الهجرة في غرب أفريقيا",
                                              variant="", completed_on=date(2026, 5, 1),
                                              hours=1.5, code=code, verify_url="http://x/verify/" + code, lang="ar"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_verify_valid_revoked_unknown(example, learner, lh, db, login_as, app):
    from recosa_learn.accounts.models import AuditEvent
    from recosa_learn.learn.models import Completion

    client, user = learner("MA", language="en")
    code = _complete(client, user, lh, db)
    public = app.test_client()
    page = public.get(f"/verify/{code}?lang=en")
    assert page.status_code == 200 and "Valid" in page.get_data(as_text=True)
    assert "Revoke this certificate" not in page.get_data(as_text=True)
    unknown = public.get("/verify/ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 404 and "Unknown code" in unknown.get_data(as_text=True)

    elsewhere, _ = login_as("coordinator", "SN", language="en")
    assert "Revoke this certificate" not in elsewhere.get(f"/verify/{code}").get_data(as_text=True)
    refused = lh.post(elsewhere, f"/verify/{code}/revoke", {"reason": "x"}, token_page=f"/verify/{code}")
    assert refused.status_code == 403

    coordinator, boss = login_as("coordinator", "MA", language="en")
    assert "Revoke this certificate" in coordinator.get(f"/verify/{code}").get_data(as_text=True)
    empty = lh.post(coordinator, f"/verify/{code}/revoke", {"reason": "  "}, token_page=f"/verify/{code}")
    assert empty.status_code == 400
    done = lh.post(coordinator, f"/verify/{code}/revoke", {"reason": "Identity fraud"}, token_page=f"/verify/{code}")
    assert done.status_code == 302
    revoked = public.get(f"/verify/{code}").get_data(as_text=True)
    assert "Revoked" in revoked and "Identity fraud" in revoked
    row = db.session.scalar(sa.select(Completion).where(Completion.certificate_code == code))
    db.session.refresh(row)
    assert row.revoked_by_id == boss.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.country_code == "MA" and event.details["reason"] == "Identity fraud"
    assert client.get(f"/certificates/{code}.pdf").status_code == 302  # no PDF for a revoked certificate
