"""Factories for every model, in one place (factory_boy)."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from clinic.models import Role, User

DEMO_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if not create:
            return
        role = extracted or Role.PATIENT
        self.groups.add(Group.objects.get(name=role))
        if role == Role.ADMIN:
            self.is_staff = True
            self.save(update_fields=["is_staff"])
