from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("resources/<int:pk>/", views.resource_detail, name="resource-detail"),
]
