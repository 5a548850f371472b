"""Plausible dates: the one module that says which dates the platform accepts.

Every form, serializer and service checks its dates here, so a year 1 or 9999 typed by mistake is
a French message next to the field (or a field-level 400), never a stored record nor a server
error. "Today" is read from ``django.utils.timezone`` (one clock) unless a caller passes it.

The rules:
- any date: from 1900 to ten years ahead;
- a birth date: from 1900 to today (and the person is of working age: ``validate_birth_date``);
- an act recorded (a service delivered, an agreement, a decision, a contact): not in the future,
  and, where the parcours is known, not before it started;
- a collective session or an appointment: at most about two years ahead, at most a year back;
- a date of the action plan: from a year before the parcours opened (PLAN_DAYS_BEFORE_OPENING)
  to ten years after today; an action is not due before the parcours opened
  (``check_plan_item_dates`` holds the three rules of a plan item, end after start included);
- an agreement to a version (project or plan): not in the future and not before the version
  existed (``check_agreement_date``);
- an end date: not before its start date.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework import serializers

from cep.nomenclatures import age_on

EARLIEST = date(1900, 1, 1)
YEARS_AHEAD = 10
SCHEDULE_DAYS_AHEAD = 2 * 366  # about two years
SCHEDULE_DAYS_BACK = 366  # a session entered late
PLAN_DAYS_BEFORE_OPENING = 366  # a training already begun when the parcours opens

IMPLAUSIBLE = "Vérifiez la date : l'année doit être comprise entre 1900 et {latest}."
MINIMUM_WORKING_AGE = 15


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _day(value: date | datetime) -> date:
    """The calendar day in the platform's zone (a naive datetime is taken as local)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            try:
                return timezone.localtime(value).date()
            except OverflowError:
                return value.date()
        return value.date()
    return value


def _shown(day: date) -> str:
    return date_format(day, "d/m/Y")


def shift_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier, when negative); 29 February becomes the 28th
    in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest_plausible(today: date | None = None) -> date:
    today = _today(today)
    return shift_years(today, YEARS_AHEAD)


def validate_plausible(value: date | datetime, *, today: date | None = None) -> None:
    """Any date the platform stores."""
    latest = latest_plausible(today)
    day = _day(value)
    if day < EARLIEST or day > latest:
        raise ValidationError(IMPLAUSIBLE.format(latest=latest.year), code="implausible")


def validate_birth_date(value: date, *, today: date | None = None) -> None:
    today = _today(today)
    if value > today:
        raise ValidationError("La date de naissance ne peut pas être dans le futur.")
    if value < EARLIEST:
        raise ValidationError("Vérifiez l'année de naissance : elle est antérieure à 1900.")
    if age_on(value, today) < MINIMUM_WORKING_AGE:
        raise ValidationError(
            "Une personne de moins de 15 ans ne peut pas être active : vérifiez la date."
        )


def validate_not_in_future(value: date | datetime, *, today: date | None = None) -> None:
    """An act recorded has happened: it is not in the future."""
    validate_plausible(value, today=today)
    today = _today(today)
    if _day(value) > today:
        raise ValidationError(
            f"La date ne peut pas être dans le futur (aujourd'hui : {_shown(today)}).",
            code="future",
        )


def validate_scheduled(value: date | datetime, *, today: date | None = None) -> None:
    """A collective session or an appointment: at most about two years ahead."""
    validate_plausible(value, today=today)
    today = _today(today)
    day = _day(value)
    if day > today + timedelta(days=SCHEDULE_DAYS_AHEAD):
        raise ValidationError(
            "Une date se programme au plus deux ans à l'avance : vérifiez l'année.",
            code="too_far",
        )
    if day < today - timedelta(days=SCHEDULE_DAYS_BACK):
        raise ValidationError(
            "Cette date est passée depuis plus d'un an : vérifiez l'année.", code="too_old"
        )


def validate_plan_date(value: date, *, today: date | None = None) -> None:
    """A date of the action plan, before the parcours is known: any plausible date."""
    validate_plausible(value, today=today)


def check_recorded_act(
    field: str, value: date | datetime | None, *, opened_on: date, today: date | None = None
) -> None:
    """A service delivered, an agreement, a decision: not in the future and not before the
    parcours opened. Raises a field-keyed error for the form or the API."""
    if value is None:
        return
    try:
        validate_not_in_future(value, today=today)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if _day(value) < opened_on:
        raise ValidationError(
            {
                field: [
                    f"La date ne peut pas précéder l'ouverture du parcours, le {_shown(opened_on)}."
                ]
            },
            code="before_parcours",
        )


def check_plan_dates(
    values: dict[str, date | None], *, opened_on: date, today: date | None = None
) -> None:
    """Dates of the action plan: from a year before the parcours opened to ten years ahead."""
    earliest = opened_on - timedelta(days=PLAN_DAYS_BEFORE_OPENING)
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        if value is None:
            continue
        try:
            validate_plausible(value, today=today)
        except ValidationError as error:
            errors[field] = error.messages
            continue
        if value < earliest:
            errors[field] = [
                "Cette date précède de plus d'un an l'ouverture du parcours "
                f"({_shown(opened_on)}) : vérifiez l'année."
            ]
    if errors:
        raise ValidationError(errors)


# The date fields of the action plan's items (steps, actions, trainings, services).
PLAN_ITEM_DATE_FIELDS = ("target_date", "due_date", "start_date", "end_date")
# The fields of a plan item that must not precede the opening of the parcours (a training or a
# service may have begun before: the window above allows it).
NOT_BEFORE_OPENING = ("due_date",)
DUE_BEFORE_OPENING = (
    "Une action ne peut pas être due avant le début du parcours, le {opened} : vérifiez la date."
)


def check_plan_item_dates(
    values: dict[str, date | None], *, opened_on: date, today: date | None = None
) -> None:
    """Every date rule of an item of the action plan, each error on its field: the window around
    the parcours, an action not due before the parcours opened, an end after its start."""
    errors: dict[str, list[str]] = {}
    try:
        check_plan_dates(values, opened_on=opened_on, today=today)
    except ValidationError as error:
        errors.update(error.message_dict)
    for field in NOT_BEFORE_OPENING:
        value = values.get(field)
        if field not in errors and value is not None and value < opened_on:
            errors[field] = [DUE_BEFORE_OPENING.format(opened=_shown(opened_on))]
    if "start_date" not in errors and "end_date" not in errors:
        try:
            check_end_after_start(values.get("start_date"), values.get("end_date"))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def check_agreement_date(
    field: str, value: date | None, *, version_created_on: date, today: date | None = None
) -> None:
    """The person agreed to a version: not in the future, and not before the version existed."""
    if value is None:
        return
    try:
        validate_not_in_future(value, today=today)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if _day(value) < version_created_on:
        raise ValidationError(
            {
                field: [
                    "L'accord ne peut pas précéder la version à laquelle il se rapporte, créée "
                    f"le {_shown(version_created_on)}."
                ]
            },
            code="before_version",
        )


def check_end_after_start(
    start: date | datetime | None, end: date | datetime | None, *, end_field: str = "end_date"
) -> None:
    if start is not None and end is not None and _day(end) < _day(start):
        raise ValidationError(
            {end_field: ["La date de fin doit suivre la date de début."]}, code="end_before_start"
        )


# --- Fields for forms and serializers: the generic rule, and no server error on a year 1.


class PlausibleFormDateField(forms.DateField):
    default_validators = [validate_plausible]


class PlausibleFormDateTimeField(forms.DateTimeField):
    default_validators = [validate_plausible]


# The validators that already include the generic rule: a model field holding one does not get
# it a second time (DRF runs them all, and would say the same message twice).
INCLUDE_PLAUSIBLE = (
    validate_plausible,
    validate_plan_date,
    validate_not_in_future,
    validate_scheduled,
)


def _with_plausible(kwargs: dict) -> dict:
    validators = kwargs.setdefault("validators", [])
    if not any(validator in INCLUDE_PLAUSIBLE for validator in validators):
        validators.append(validate_plausible)
    return kwargs


class PlausibleDateField(serializers.DateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_plausible(kwargs))


class PlausibleDateTimeField(serializers.DateTimeField):
    """DRF's field makes a naive year-1 datetime aware and overflows: check the year first."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_plausible(kwargs))

    def to_internal_value(self, value: datetime | str) -> datetime:
        try:
            return super().to_internal_value(value)
        except OverflowError as error:
            latest = latest_plausible()
            raise serializers.ValidationError(IMPLAUSIBLE.format(latest=latest.year)) from error


# A ModelSerializer built on these mappings gets the plausible fields for every model date.
SERIALIZER_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.DateField: PlausibleDateField,
    models.DateTimeField: PlausibleDateTimeField,
}


class PlausibleDatesModelSerializer(serializers.ModelSerializer):
    """The project's ModelSerializer: every model date comes through the plausible fields."""

    serializer_field_mapping = SERIALIZER_FIELD_MAPPING
