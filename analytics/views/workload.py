"""Analytics pages: workload (see analytics/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
