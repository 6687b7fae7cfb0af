"""The one API router: each app's api.py registers its viewsets here, mounted at /api/v1/."""

from rest_framework.routers import DefaultRouter

from scheduling import api as scheduling_api

router = DefaultRouter()
scheduling_api.register(router)

app_name = "api"
urlpatterns = router.urls
