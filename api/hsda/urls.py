"""HSDA 3.0 read endpoints, paths as the specification names them (no trailing slash)."""

from django.urls import path

from api.hsda import views

app_name = "hsda"

urlpatterns = [
    path("", views.ApiInfoView.as_view(), name="info"),
    path("services", views.ServiceListView.as_view(), name="services"),
    path("services/<str:id>", views.ServiceView.as_view(), name="service"),
    path("service_at_locations", views.ServiceAtLocationListView.as_view(), name="service-at-locations"),
    path("organizations", views.OrganizationListView.as_view(), name="organizations"),
    path("organizations/<str:id>", views.OrganizationView.as_view(), name="organization"),
    path("taxonomies", views.TaxonomyListView.as_view(), name="taxonomies"),
    path("taxonomies/<str:id>", views.TaxonomyView.as_view(), name="taxonomy"),
    path("taxonomy_terms", views.TaxonomyTermListView.as_view(), name="taxonomy-terms"),
    path("taxonomy_terms/<str:id>", views.TaxonomyTermView.as_view(), name="taxonomy-term"),
]
