from django.contrib.auth.models import Group

from clinic.models import Role


def test_the_three_roles_exist_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"patient", "clinician", "admin"}


def test_a_registered_person_is_a_patient_and_not_staff(patient):
    assert patient.role == Role.PATIENT
    assert not patient.is_staff
    assert not patient.is_clinician_role


def test_a_clinician_is_clinic_staff_but_not_an_admin(clinician):
    assert clinician.is_clinician_role
    assert not clinician.is_admin_role
    assert not clinician.is_staff


def test_an_admin_counts_as_clinic_staff_and_may_use_the_admin(admin_user):
    assert admin_user.is_clinician_role
    assert admin_user.is_admin_role
    assert admin_user.is_staff
