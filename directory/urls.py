from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("resources/", views.resource_search, name="resource-search"),
    path("resources/export.csv", views.resource_search_csv, name="resource-search-csv"),
    path("resources/<int:pk>/", views.resource_detail, name="resource-detail"),
]
