"""The query-string filters of the swaps API (/api/v1/swaps/?status=&kind=&mine=&person=&date_from=&date_to=)."""

from django.db.models import QuerySet

from scheduling.models import Person
from swaps.models import Swap, SwapLeg
from swaps.selectors import swaps_of_person
from swaps.services import person_of
from tenants import filters as bounded
from tenants.middleware import program_for


def involving(queryset: QuerySet[Swap], person) -> QuerySet[Swap]:
    """The swaps a person asked for, gives a shift in or takes one in."""
    return queryset.filter(pk__in=swaps_of_person(program=person.program, person=person).values("pk"))


class SwapFilter(bounded.FilterSet):
    """`mine` keeps the caller's own swaps (asked for, giving or taking); `person` those of a person;
    `date_from`/`date_to` those with a shift (a leg's date) in the range."""

    status = bounded.MultipleChoiceFilter(choices=Swap.Status.choices)
    kind = bounded.MultipleChoiceFilter(choices=Swap.Kind.choices)
    mine = bounded.BooleanFilter(method="filter_mine", label="Only my own swaps")
    person = bounded.IdFilter(method="filter_person", label="Person id (asker, giver or taker)")
    date_from = bounded.DateFilter(method="filter_date_from", label="A shift on or after this day")
    date_to = bounded.DateFilter(method="filter_date_to", label="A shift on or before this day")

    class Meta:
        model = Swap
        fields = ["status", "kind", "mine", "person", "date_from", "date_to"]

    def filter_mine(self, queryset: QuerySet[Swap], name: str, value: bool | None) -> QuerySet[Swap]:
        if value is None or self.request is None:
            return queryset
        person = person_of(self.request.user, program_for(self.request))
        if not value:
            return queryset if person is None else queryset.exclude(pk__in=involving(queryset, person).values("pk"))
        return queryset.none() if person is None else involving(queryset, person)

    def filter_person(self, queryset: QuerySet[Swap], name: str, value: int | None) -> QuerySet[Swap]:
        if value is None:
            return queryset
        person = Person.objects.filter(pk=value, program=program_for(self.request)).first()
        return queryset.none() if person is None else involving(queryset, person)

    def filter_date_from(self, queryset: QuerySet[Swap], name: str, value) -> QuerySet[Swap]:
        return queryset.filter(pk__in=SwapLeg.objects.filter(date__gte=value).values("swap_id"))

    def filter_date_to(self, queryset: QuerySet[Swap], name: str, value) -> QuerySet[Swap]:
        return queryset.filter(pk__in=SwapLeg.objects.filter(date__lte=value).values("swap_id"))
