from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("api.urls")),
    path("map/", include("mapviews.urls")),
    path("plans/", include("plans.urls")),
    path("", include("directory.urls")),
]

handler404 = "api.views.page_not_found"
