"""The read endpoints of the Human Services Data API (HSDA) over the public catalogue, in HSDS 3.0.

The objects are those of directory.hsds, the parameters those of api.hsda.params. Every endpoint publishes
public entries that are not closed, whoever asks: an entry for professionals or a private one is a 404
here even to its owner.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.hsda import params
from api.hsda.pagination import Concatenation, page_response, page_schema
from directory import hsds

SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="HSDS id (UUID)")


def documented(operation_id, schema=None, **kwargs):
    """extend_schema with the HSDA operationId and tag; `schema` names the HSDS 3.0 schema of the object."""
    if schema is not None:
        described = OpenApiResponse(OpenApiTypes.OBJECT, description=f"HSDS 3.0: {SCHEMAS}{schema}")
        kwargs.update(
            parameters=[ID], responses={200: described, 404: OpenApiResponse(description="no such id")}
        )
    return extend_schema(operation_id=operation_id, tags=["hsda"], **kwargs)


def listing(operation_id, params_class, contents):
    """Documents a list endpoint: its HSDA operationId, its parameters, and a Page of `contents`."""
    page = page_schema(operation_id.replace("getPaginatedListOf", "Hsda") + "Page", contents)
    return extend_schema_view(get=documented(operation_id, parameters=[params_class], responses=page))


def found(target):
    if target is None:
        raise NotFound()
    return target


class ApiInfoView(APIView):
    @documented(
        "getAPIMetaInformation",
        responses=inline_serializer(
            "HsdaApiInfo",
            {
                "version": serializers.CharField(),
                "profile": serializers.URLField(),
                "openapi_url": serializers.URLField(),
            },
        ),
    )
    def get(self, request):
        """The HSDS version of this API, its profile (the API documentation) and its OpenAPI document."""
        return Response(
            {
                "version": hsds.HSDS_VERSION,
                "profile": request.build_absolute_uri(reverse("api:docs")),
                "openapi_url": request.build_absolute_uri(reverse("api:schema")),
            }
        )


@listing("getPaginatedListOfServices", params.ServiceParams, f"services: {SCHEMAS}compiled/service_list.json")
class ServiceListView(APIView):
    shape = staticmethod(hsds.service_summary)

    def get(self, request):
        query = params.validated(params.ServiceParams, request)
        resources = params.filter_resources(hsds.listed_resources(), query)
        return page_response(hsds.for_summaries(resources), query, self.shape)


@listing(
    "getPaginatedListOfServiceAtLocation",
    params.ServiceParams,
    f"services at locations: {SCHEMAS}compiled/service_at_location_list.json",
)
class ServiceAtLocationListView(ServiceListView):
    shape = staticmethod(hsds.service_at_location_summary)


class ServiceView(APIView):
    @documented("getFullyNestedServiceById", "compiled/service.json")
    def get(self, request, id):
        return Response(hsds.service(found(hsds.find_service(id))))


@listing(
    "getPaginatedListOfOrganizations",
    params.OrganizationParams,
    f"organizations: {SCHEMAS}compiled/organization_list.json",
)
class OrganizationListView(APIView):
    def get(self, request):
        query = params.validated(params.OrganizationParams, request)
        organizations, providers = hsds.providers_of(params.filter_resources(hsds.listed_resources(), query))
        return page_response(Concatenation(organizations, providers), query, hsds.organization_summary)


class OrganizationView(APIView):
    @documented("getOrganizationById", "compiled/organization.json")
    def get(self, request, id):
        return Response(hsds.organization(found(hsds.find_organization(id))))


@listing("getPaginatedListOfTaxonomies", params.SearchParams, f"taxonomies: {SCHEMAS}taxonomy.json")
class TaxonomyListView(APIView):
    params_class = params.SearchParams
    items = staticmethod(hsds.taxonomies)

    def get(self, request):
        query = params.validated(self.params_class, request)
        return page_response(params.filter_terms(self.items(), query), query, dict)


@listing(
    "getPaginatedListOfTaxonomyTerms",
    params.TaxonomyTermParams,
    f"taxonomy terms: {SCHEMAS}taxonomy_term.json",
)
class TaxonomyTermListView(TaxonomyListView):
    params_class = params.TaxonomyTermParams
    items = staticmethod(hsds.taxonomy_terms)


class TaxonomyView(APIView):
    @documented("getTaxonomyById", "taxonomy.json")
    def get(self, request, id):
        return Response(found(hsds.find_taxonomy(id)))


class TaxonomyTermView(APIView):
    @documented("getTaxonomyTermById", "taxonomy_term.json")
    def get(self, request, id):
        return Response(hsds.taxonomy_term(found(hsds.find_taxonomy_term(id))))
