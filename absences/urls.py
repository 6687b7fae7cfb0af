from django.urls import path

from absences import views

urlpatterns = [
    path("", views.absence_list, name="absence-list"),
    path("calendar/", views.absence_calendar, name="absence-calendar"),  # ?month=YYYY-MM
    path("new/", views.absence_new, name="absence-new"),
    path("sick-today/", views.absence_sick_today, name="absence-sick-today"),  # My schedule's quick action
    path("<int:pk>/", views.absence_detail, name="absence-detail"),
    path("<int:pk>/decide/", views.absence_decide, name="absence-decide"),
    path("<int:pk>/cancel/", views.absence_cancel, name="absence-cancel"),
    path("<int:pk>/extend/", views.absence_extend, name="absence-extend"),
]
