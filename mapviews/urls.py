from django.urls import path

from mapviews import plan_views, views

app_name = "mapviews"
urlpatterns = [
    path("", views.resource_map, name="resource-map"),
    path("pins/<int:pk>/", views.pin, name="pin"),
    path("resources/<int:pk>/", views.entry_map, name="entry-map"),
    path("plans/<int:pk>/", plan_views.plan_map, name="plan-map"),
    path("plan-lines/<int:pk>/", plan_views.line_map, name="line-map"),
]
