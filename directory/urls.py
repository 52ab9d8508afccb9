from django.urls import path

from directory import coordinator_views, entry_views, import_views, views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("resources/", views.resource_search, name="resource-search"),
    path("resources/export.csv", views.resource_search_csv, name="resource-search-csv"),
    path("resources/<int:pk>/", views.resource_detail, name="resource-detail"),
    path("resources/<int:pk>/rating/", entry_views.rate, name="resource-rate"),
    path("resources/<int:pk>/rating-reply/", entry_views.reply, name="resource-reply"),
    path("resources/<int:pk>/vacancy/", entry_views.vacancy, name="resource-vacancy"),
    path("resources/<int:pk>/edit/", entry_views.edit, name="resource-edit"),
    path("resources/<int:pk>/verify/", entry_views.verify, name="resource-verify"),
    path("resources/<int:pk>/suggest/", entry_views.suggest, name="resource-suggest"),
    path("resources/<int:pk>/problem/", entry_views.report_problem, name="resource-problem"),
    path(
        "coordinator/verification/<slug:queue>/",
        coordinator_views.verification_queue,
        name="verification-queue",
    ),
    path("coordinator/corrections/", coordinator_views.corrections, name="corrections"),
    path("coordinator/coverage/", coordinator_views.coverage, name="coverage"),
    path("coordinator/imports/", import_views.open_data_import, name="open-data-import"),
    path(
        "coordinator/suggestions/<int:pk>/<str:decision>/",
        coordinator_views.decide_suggestion,
        name="suggestion-decide",
    ),
    path("coordinator/problems/<int:pk>/resolve/", coordinator_views.resolve_problem, name="problem-resolve"),
]
