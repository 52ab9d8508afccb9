from django.core.exceptions import ValidationError as ModelValidationError
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api import serializers
from api.renderers import CSVRenderer, GeoJSONRenderer
from directory import exports, selectors, services
from directory.filters import ResourceFilterSet
from directory.models import Category, Municipality, Organization, Region, Resource


class ResourceViewSet(viewsets.ReadOnlyModelViewSet):
    """社会資源. Filters are those of the search page (directory.filters.ResourceFilterSet)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ResourceFilterSet
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, GeoJSONRenderer, CSVRenderer]

    def list(self, request, *args, **kwargs):
        """Paginated JSON; with ?format=geojson or ?format=csv the whole filtered result, unpaginated."""
        export_format = request.accepted_renderer.format
        if export_format not in ("geojson", "csv"):
            return super().list(request, *args, **kwargs)
        resources = self.filter_queryset(self.get_queryset())
        base_url = request.build_absolute_uri("/")[:-1]
        if export_format == "csv":
            return exports.resources_csv_response(resources, base_url=base_url, filename="resources.csv")
        return Response(exports.resources_geojson(resources, base_url=base_url))

    def get_queryset(self):
        resources = selectors.search_rows(Resource.objects.visible_to(self.request.user))
        if self.action == "retrieve":
            return resources.prefetch_related("categories", "features", "service_area", "hours")
        return resources

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ResourceDetailSerializer
        if self.action == "vacancy":
            return serializers.VacancyReportSerializer
        return serializers.ResourceListSerializer

    @extend_schema(
        request=serializers.VacancyReportSerializer, responses={201: serializers.VacancySerializer}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def vacancy(self, request, pk=None):
        """Record a vacancy report (空き). For the resource's own staff and coordinators; 404 to others."""
        resource = get_object_or_404(Resource.objects.editable_by(request.user), pk=pk)
        body = serializers.VacancyReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            vacancy = services.vacancy_report(resource=resource, by=request.user, **body.validated_data)
        except ModelValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(serializers.VacancySerializer(vacancy).data, status=status.HTTP_201_CREATED)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.select_related("parent")
    serializer_class = serializers.CategorySerializer
    lookup_field = "slug"
    pagination_class = None


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Municipality.objects.select_related("prefecture")
    serializer_class = serializers.MunicipalitySerializer
    lookup_field = "code"


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.prefetch_related("municipalities")
    serializer_class = serializers.RegionSerializer
    lookup_field = "slug"


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
