"""The first consent text (version 2026.1), in plain language.

A later text is a new ConsentVersion made current by its own migration; intakes already
signed keep the version they signed.
"""

from django.db import migrations

VERSION = "2026.1"
TITLE = "Consent to the screening questionnaire"
TEXT = """\
What this questionnaire is for
These questions help the clinic decide, together with you, whether esketamine nasal spray (Spravato) or ketamine treatment might be suitable for you, and what must be checked first. Your answers are read by a clinician.

It is not a diagnosis
The questionnaire does not diagnose anything and does not decide on its own whether you can have treatment. A computer checks your answers against published safety guidance only to point the clinician to what needs attention. Every intake is reviewed by a person, who will contact you about next steps.

How we use your answers
We use your answers only to assess and plan your care at this clinic. They are stored securely, seen only by clinic staff who need them, and every access is recorded. We do not sell your information or use it for advertising. We share it only when you agree, when the law requires it, or when someone's life or safety is at serious risk.

If you are in crisis
This questionnaire is not watched around the clock. If you are thinking about suicide, call or text 988 (Suicide & Crisis Lifeline) at any time. In an emergency, call 911 or go to the nearest emergency department. If your answers suggest you may be at risk, the clinic will be alerted and may contact you.

Accuracy
Please answer as accurately as you can. If you do not know an answer, choose "I don't know": that is always better than guessing. If something changes before your appointment, tell the clinic.

Your rights
Taking part is voluntary. You may stop at any time, ask to see or correct your answers, or withdraw your consent by contacting the clinic. Withdrawing does not affect any care you receive elsewhere. The clinic keeps medical records for as long as the law requires.

By typing your full name below, you confirm that the answers are your own and that you agree to the clinic using them as described above.
"""


def create_consent(apps, schema_editor):
    ConsentVersion = apps.get_model("intake", "ConsentVersion")
    ConsentVersion.objects.filter(is_current=True).exclude(version=VERSION).update(is_current=False)
    ConsentVersion.objects.update_or_create(
        version=VERSION, defaults={"title": TITLE, "text": TEXT, "is_current": True}
    )


def remove_consent(apps, schema_editor):
    ConsentVersion = apps.get_model("intake", "ConsentVersion")
    Intake = apps.get_model("intake", "Intake")
    if not Intake.objects.filter(consent_version__version=VERSION).exists():
        ConsentVersion.objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_patients_and_intakes"),
    ]

    operations = [
        migrations.RunPython(create_consent, remove_consent),
    ]
