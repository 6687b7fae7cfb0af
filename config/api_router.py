"""The one API router: each app's api.py registers its viewsets here, mounted at /api/v1/."""

from rest_framework.routers import DefaultRouter

from notifications import api as notifications_api
from scheduling import api as scheduling_api
from scheduling import api_feeds as scheduling_api_feeds

router = DefaultRouter()
scheduling_api.register(router)
notifications_api.register(router)
scheduling_api_feeds.register(router)

app_name = "api"
urlpatterns = router.urls
