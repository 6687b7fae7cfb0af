"""Calendar feeds on a secret token (no login), and the button that resets a feed: the same paths and names as
when they lived in scheduling."""

from django.urls import path

from integrations.feeds import views

urlpatterns = [
    path("feeds/person/<str:token>.ics", views.person_feed, name="feed-person"),
    path("feeds/program/<str:token>.ics", views.program_feed, name="feed-program"),
    path("feeds/reset/", views.feed_reset, name="feed-reset"),
]
