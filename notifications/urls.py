from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("preferences/", views.preferences_edit, name="notification-preferences"),
    path("push/subscribe/", views.push_subscribe, name="push-subscribe"),
    path("push/renew/", views.push_renew, name="push-renew"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push-unsubscribe"),
    path("devices/<int:pk>/remove/", views.push_device_remove, name="push-device-remove"),
    path("<int:pk>/read/", views.notification_read, name="notification-read"),
    path("<int:pk>/open/", views.notification_open, name="notification-open"),
]
