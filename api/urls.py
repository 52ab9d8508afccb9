from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views

app_name = "api"

router = DefaultRouter()
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("regions", views.RegionViewSet, basename="region")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("plans", views.PlanViewSet, basename="plan")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("hsda/", include("api.hsda.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
