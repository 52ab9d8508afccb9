from django.urls import path

from mapviews import views

app_name = "mapviews"
urlpatterns = [
    path("", views.resource_map, name="resource-map"),
]
