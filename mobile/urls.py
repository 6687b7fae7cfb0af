from django.urls import path

from mobile import views

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="pwa-manifest"),
    path("sw.js", views.service_worker, name="pwa-service-worker"),
    path("offline/my-schedule/", views.offline_schedule, name="pwa-offline-schedule"),
]
