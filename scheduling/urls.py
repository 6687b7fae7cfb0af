from django.urls import path

from scheduling.views import (
    absences,
    compliance,
    edit,
    grid,
    home,
    on_call,
    people,
    runs,
    today,
    versions,
    wishes,
)

urlpatterns = [
    path("", home.home, name="home"),
    # Reading the schedule (query: year, version=published|draft|<id>, pgy, rotation, person)
    path("schedule/", grid.schedule_grid, name="schedule-grid"),
    path("schedule/month/", grid.schedule_month, name="schedule-month"),  # ?month=YYYY-MM
    path("schedule/week/", grid.schedule_week, name="schedule-week"),  # ?start=YYYY-MM-DD
    path("me/", people.my_schedule, name="my-schedule"),
    path("people/<int:pk>/", people.person_schedule, name="person-schedule"),
    path("today/", today.today, name="today"),
    path("on-call/", on_call.on_call, name="on-call"),  # ?date=YYYY-MM-DD&span=day|week
    path("on-call.csv", on_call.on_call_csv, name="on-call-csv"),  # the same, &contacts=1 for managers
    path("me/contacts/", people.my_contacts, name="my-contacts"),
    # Wishes: one's own (?year=<id>), the coordinators' heat map and window, change and withdraw one
    path("me/wishes/", wishes.my_wishes, name="my-wishes"),
    path("wishes/", wishes.wish_overview, name="wish-overview"),
    path("wishes/window/", wishes.wish_window_edit, name="wish-window"),
    path("wishes/weights/", wishes.wish_weights_edit, name="wish-weights"),
    path("wishes/<int:pk>/edit/", wishes.wish_edit, name="wish-edit"),
    path("wishes/<int:pk>/withdraw/", wishes.wish_withdraw, name="wish-withdraw"),
    # Generating; a year's versions: compare, publish, discard, restore, undo the last cell edit
    path("schedule/generate/", runs.run_new, name="run-new"),
    path("runs/<int:pk>/", runs.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    path("runs/<int:pk>/cancel/", runs.run_cancel, name="run-cancel"),
    path("versions/", versions.version_list, name="version-list"),  # ?year=<id>
    path("versions/<int:pk>/compare/", versions.version_compare, name="version-compare"),
    path("versions/<int:pk>/publish/", versions.version_publish, name="version-publish"),
    path("versions/<int:pk>/discard/", versions.version_discard, name="version-discard"),
    path("versions/<int:pk>/restore/", versions.version_restore, name="version-restore"),
    path("versions/<int:pk>/undo/", versions.version_undo, name="version-undo"),
    # Editing a cell of a version
    path("versions/<int:pk>/people/<int:person>/blocks/<int:block>/", edit.edit_block, name="edit-block"),
    path(
        "versions/<int:pk>/people/<int:person>/sessions/<str:date>/<str:session>/",
        edit.edit_session,
        name="edit-session",
    ),
    path("versions/<int:pk>/people/<int:person>/calls/<str:date>/", edit.edit_call, name="edit-call"),
    path("compliance/", compliance.compliance, name="compliance"),
    # An absence against the schedule: conflicts, approve, repair (issue 6)
    path("absences/<int:pk>/impact/", absences.absence_impact, name="absence-impact"),
    path("absences/<int:pk>/repair/<int:run>/review/", absences.absence_repair_review, name="absence-repair-review"),
]
