from django.urls import path

from integrations.jobs import views

urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/progress/", views.job_progress_partial, name="job-progress"),
    path("<int:pk>/cancel/", views.job_cancel_view, name="job-cancel"),
    path("<int:pk>/download/", views.job_download, name="job-download"),
]
