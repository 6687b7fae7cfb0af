"""Credentials pages: the matrix (people x certifications and procedures), a person's credentials (the CSV upload
is integrations.certifications').

Admins, coordinators, faculty and residents read credentials (tenants.permissions: CLINICIAN_READABLE); admins and
coordinators upload. Card numbers show to managers and to the holder only.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from credentials import selectors
from tenants import access
from tenants.permissions import Action, Resource, can

KINDS = (("", "Everyone"), ("resident", "Residents"), ("faculty", "Faculty"), ("staff", "Other staff"))


def require(action: Action) -> Callable:
    """The page gate for `action` on credentials in the active program."""
    return access.require(action, Resource.CREDENTIAL)


def _is_manager(request: HttpRequest) -> bool:
    return can(request.user, Action.CHANGE, Resource.CREDENTIAL, request.program)


@require(Action.VIEW)
def credentials_matrix(request: HttpRequest) -> HttpResponse:
    """Active people against every certification type and procedure; `?kind=` narrows to residents, faculty..."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(KINDS) else ""
    matrix = selectors.credentials_matrix(program=request.program, kind=kind)
    context = {"matrix": matrix, "kind": kind, "kinds": KINDS, "can_manage": _is_manager(request)}
    if context["can_manage"]:
        context["expiring"] = list(selectors.expiring_soon(program=request.program, today=matrix.today))
    return render(request, "credentials/credentials_matrix.html", context)


@require(Action.VIEW)
def credentials_me(request: HttpRequest) -> HttpResponse:
    """The user's own credentials page, or a page saying no person is linked to their login."""
    person = selectors.person_of_user(program=request.program, user=request.user)
    if person is None:
        return render(request, "credentials/person_none.html")
    return redirect("credentials-person", pk=person.pk)


@require(Action.VIEW)
def person_credentials(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's certifications (with renewals) and procedure credentials; another program's person is 404."""
    person = selectors.person_get(program=request.program, pk=pk)
    if person is None:
        raise Http404("No such person in this program.")
    matrix = selectors.credentials_matrix(program=request.program, person_ids=[person.pk])
    context = {
        "person": person,
        "matrix": matrix,
        "row": matrix.rows[0],
        "can_manage": _is_manager(request),
        "is_me": person.user_id == request.user.pk,
        **selectors.person_credentials(program=request.program, person=person),
    }
    return render(request, "credentials/person_credentials.html", context)
