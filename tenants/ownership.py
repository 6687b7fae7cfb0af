"""Object permissions (django-guardian) for rows that belong to one person: their absences, wishes, swaps,
calendar feed and personal API tokens. The owner gets view/change/delete on the row when it is made (and when a
person's login changes, the new login gets them and the old one loses them); `tenants.permissions.can` then asks
guardian, on top of the role and the owner check, for the own-only rules, so that pages, admin and API share the
one decision and an admin can revoke one person's rights on one row.

Each app registers its owned models in its AppConfig.ready() with `owned_model_register(model, person_field)`:
the owner is `getattr(row, person_field).user` (or, with `user_field`, that login directly). Rows that existed
before are given to their owners by swaps/migrations/0003_owner_object_permissions.py.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models.signals import post_save, pre_save
from guardian.core import ObjectPermissionChecker
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

OWNER_ACTIONS = ("view", "change", "delete")
_OWNED: dict[type[models.Model], str] = {}  # model -> the field naming the person who owns its rows
_USER_OWNED: dict[type[models.Model], str] = {}  # model -> the field naming the login that owns its rows


def owned_model_register(model: type[models.Model], person_field: str = "", *, user_field: str = "") -> None:
    """Rows of `model` belong to `getattr(row, person_field)` (a person with an optional login), or to the login
    `getattr(row, user_field)`."""
    if user_field:
        _USER_OWNED[model] = user_field
    else:
        _OWNED[model] = person_field
    post_save.connect(_row_saved, sender=model, dispatch_uid=f"ownership:{model._meta.label}")


def is_owned_model(model: type[models.Model]) -> bool:
    return model in _OWNED or model in _USER_OWNED


def _codenames(model: type[models.Model]) -> list[str]:
    return [f"{action}_{model._meta.model_name}" for action in OWNER_ACTIONS]


def _owner_lookup(model: type[models.Model]) -> str:
    return _USER_OWNED[model] if model in _USER_OWNED else f"{_OWNED[model]}__user"


def _row_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        owner_id = _owner_id_of(instance)
        if owner_id is not None:
            _grant(owner_id, instance)


def _owner_id_of(row: models.Model) -> int | None:
    """The id of the login owning `row`, read without loading the user."""
    if type(row) in _USER_OWNED:
        return getattr(row, f"{_USER_OWNED[type(row)]}_id")
    person = getattr(row, _OWNED[type(row)], None)
    return getattr(person, "user_id", None) if person is not None else None


def _grant(owner_id: int, row: models.Model) -> None:
    """Give the owner view/change/delete on a new row in two queries (the permissions with their content type, one
    insert) rather than guardian's `assign_perm` five per permission: every new absence, wish, swap, feed token
    and API token passes here."""
    meta = type(row)._meta
    permissions = Permission.objects.filter(
        content_type__app_label=meta.app_label, content_type__model=meta.model_name, codename__in=_codenames(type(row))
    )
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                user_id=owner_id,
                permission=permission,
                content_type_id=permission.content_type_id,
                object_pk=str(row.pk),
            )
            for permission in permissions
        ],
        ignore_conflicts=True,
    )


def owner_permissions_follow(person, old_user) -> None:
    """A person's login changed: the rows they own move to the new login's rights (the old login loses them)."""
    for model, field in _OWNED.items():
        rows = model._default_manager.filter(**{field: person})
        if not rows.exists():
            continue
        for codename in _codenames(model):
            if old_user is not None:
                remove_perm(codename, old_user, rows)
            if person.user is not None:
                assign_perm(codename, person.user, rows)


def owner_may(user, action: str, row: models.Model) -> bool:
    """Does guardian give `user` the object permission for `action` ("view", "change", "delete"; "add" reads as
    "change") on `row`? Reads the user's permissions on their own rows of this model once per user object."""
    codename = f"{'change' if action == 'add' else action}_{type(row)._meta.model_name}"
    checker = user.__dict__.get("_ownership_checker")
    if checker is None:
        checker = user.__dict__["_ownership_checker"] = ObjectPermissionChecker(user)
    prefetched = user.__dict__.setdefault("_ownership_prefetched", set())
    model = type(row)
    if is_owned_model(model) and model not in prefetched:
        prefetched.add(model)
        mine = list(model._default_manager.filter(**{_owner_lookup(model): user}))
        if mine:
            checker.prefetch_perms(mine)
    return checker.has_perm(codename, row)


def owns(user, action: str, row: models.Model) -> bool:
    """Is `row` the user's own (its `owner_user_id`) and does guardian still give them `action` on it? For rows
    outside a program's roles (personal API tokens); program rows go through `tenants.permissions.can`."""
    return (
        bool(getattr(user, "is_authenticated", False)) and row.owner_user_id == user.pk and owner_may(user, action, row)
    )


def owner_permissions_forget(user) -> None:
    """Drop what `owner_may` read for this user object (after a grant or a revocation in the same request)."""
    user.__dict__.pop("_ownership_checker", None)
    user.__dict__.pop("_ownership_prefetched", None)


def person_model_register(model: type[models.Model]) -> None:
    """Rows owned through `model` (the person) follow its `user` when the login changes."""
    pre_save.connect(_person_saving, sender=model, dispatch_uid=f"ownership-person-pre:{model._meta.label}")
    post_save.connect(_person_saved, sender=model, dispatch_uid=f"ownership-person-post:{model._meta.label}")


def _person_saving(sender, instance, raw: bool = False, **kwargs) -> None:
    if instance.pk is not None and not raw:
        instance._ownership_old_user_id = (
            sender._default_manager.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        )


def _person_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    old_user_id = instance.__dict__.pop("_ownership_old_user_id", None)
    if created or raw or old_user_id == instance.user_id:
        return
    old_user = get_user_model()._default_manager.filter(pk=old_user_id).first() if old_user_id else None
    owner_permissions_follow(instance, old_user)
