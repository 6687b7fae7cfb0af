"""Read API of a program's people, rotations, academic years and blocks, under /api/v1/.

Every viewset lists and shows rows of the request's program only (`program_for`, from the
X-Organization-ID header or the session); ProgramRolePermission checks the role for the
viewset's `permission_resource`. Writes go through services and are not offered here.
"""

from django.db.models import QuerySet
from rest_framework.routers import BaseRouter

from scheduling import filters, selectors
from scheduling.models import AcademicYear, Block, Person, RotationTemplate
from scheduling.serializers import AcademicYearSerializer, BlockSerializer, PersonSerializer, RotationSerializer
from tenants.api import ProgramReadOnlyViewSet, documented
from tenants.permissions import Resource


@documented(PersonSerializer, "people")
class PersonViewSet(ProgramReadOnlyViewSet):
    """Residents, faculty and other staff of the program, active or not (filter with `is_active`).

    Readable by admins, coordinators, faculty and residents; contact details are not exposed.
    """

    queryset = Person.objects.none()  # the model, for the router and the schema; rows come from get_queryset
    permission_resource = Resource.PERSON
    serializer_class = PersonSerializer
    filterset_class = filters.PersonFilter
    ordering_fields = ["last_name", "first_name", "kind", "pgy"]

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list(program=self.active_program(), active=None)


@documented(RotationSerializer, "rotation templates")
class RotationViewSet(ProgramReadOnlyViewSet):
    """The program's rotation templates: kind, eligible PGY levels, staffing limits and flags."""

    queryset = RotationTemplate.objects.none()
    permission_resource = Resource.ROTATION
    serializer_class = RotationSerializer
    filterset_class = filters.RotationFilter
    ordering_fields = ["name", "abbreviation", "kind"]

    def get_queryset(self) -> QuerySet[RotationTemplate]:
        return selectors.rotation_list(program=self.active_program())


@documented(AcademicYearSerializer, "academic years")
class AcademicYearViewSet(ProgramReadOnlyViewSet):
    """The program's academic years, newest first, with how many of their blocks exist."""

    queryset = AcademicYear.objects.none()
    permission_resource = Resource.CALENDAR
    serializer_class = AcademicYearSerializer
    filterset_class = filters.AcademicYearFilter
    ordering_fields = ["start_date", "name"]

    def get_queryset(self) -> QuerySet[AcademicYear]:
        return selectors.academic_year_list(program=self.active_program())


@documented(BlockSerializer, "blocks")
class BlockViewSet(ProgramReadOnlyViewSet):
    """The rotation blocks of the program's academic years (block 0 is orientation), by year and number."""

    queryset = Block.objects.none()
    permission_resource = Resource.CALENDAR
    serializer_class = BlockSerializer
    filterset_class = filters.BlockFilter
    ordering_fields = ["start_date", "number"]

    def get_queryset(self) -> QuerySet[Block]:
        return selectors.block_list(program=self.active_program())


def register(router: BaseRouter) -> None:
    router.register("people", PersonViewSet, basename="person")
    router.register("rotations", RotationViewSet, basename="rotation")
    router.register("academic-years", AcademicYearViewSet, basename="academic-year")
    router.register("blocks", BlockViewSet, basename="block")
