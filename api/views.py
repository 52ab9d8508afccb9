from django.core.exceptions import ValidationError as ModelValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api import plan_serializers, serializers
from api.conditional import PreconditionFailed, if_match_versions, with_etag
from api.renderers import CSVRenderer, GeoJSONRenderer
from directory import exports, selectors, services
from directory.choices import Visibility
from directory.filters import ResourceFilterSet
from directory.models import Category, Municipality, Organization, Rating, Region, Resource
from directory.roles import PLANNER, is_professional, may_hold, roles_of
from plans import services as plan_services
from plans.models import Plan

IF_MATCH = OpenApiParameter(
    "If-Match",
    # One or more entity tags (RFC 9110 §8.8.3); `*` is refused with 428, as a missing header is.
    {
        "type": "string",
        "pattern": r'^(W/)?"[!#-~]*"(, ?(W/)?"[!#-~]*")*$',
        "example": '"5d41402abc4b2a76b9719d911017c592"',
    },
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version being edited: 428 without it, 412 (nothing changed) when stale.",
)


def _service_call(function, **arguments):
    """Run a write service, turning its field errors into a 400 naming the fields."""
    try:
        return function(**arguments)
    except ModelValidationError as error:
        raise ValidationError(error.message_dict) from None


@extend_schema_view(
    list=extend_schema(
        responses={
            (200, "application/json"): serializers.ResourceListSerializer,
            (200, "application/geo+json"): serializers.ResourceFeatureCollectionSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="every matching row, UTF-8 with BOM (one header row)"
            ),
        }
    ),
    create=extend_schema(
        request=serializers.ResourceWriteSerializer, responses={201: serializers.ResourceDetailSerializer}
    ),
    update=extend_schema(
        parameters=[IF_MATCH],
        request=serializers.ResourceWriteSerializer,
        responses={200: serializers.ResourceDetailSerializer},
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH],
        request=serializers.ResourceWriteSerializer,
        responses={200: serializers.ResourceDetailSerializer},
    ),
)
class ResourceViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """社会資源. Filters are those of the search page (directory.filters.ResourceFilterSet).

    Writes: coordinators edit every entry, a service manager their own organization's, and any professional
    an entry private to themselves. Edits need If-Match with the ETag that came with the entry."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ResourceFilterSet
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, GeoJSONRenderer, CSVRenderer]

    def get_renderers(self):
        """?format=geojson and ?format=csv export the search: the list only (an entry answers in JSON)."""
        classes = self.renderer_classes if self.action == "list" else api_settings.DEFAULT_RENDERER_CLASSES
        return [renderer() for renderer in classes]

    def finalize_response(self, request, response, *args, **kwargs):
        """An error of a CSV export is answered in JSON, as everywhere else in the API, not as CSV text."""
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(response, "exception", False) and isinstance(renderer, CSVRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_permissions(self):
        if self.action in ("create", "update", "partial_update", "vacancy"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def list(self, request, *args, **kwargs):
        """Paginated JSON; with ?format=geojson or ?format=csv the whole filtered result, unpaginated."""
        export_format = request.accepted_renderer.format
        if export_format not in ("geojson", "csv"):
            return super().list(request, *args, **kwargs)
        resources = self.filter_queryset(self.get_queryset())
        base_url = request.build_absolute_uri("/")[:-1]
        if export_format == "csv":
            resources = selectors.card_rows(resources)
            return exports.resources_csv_response(resources, base_url=base_url, filename="resources.csv")
        return Response(exports.resources_geojson(resources, base_url=base_url))

    def retrieve(self, request, *args, **kwargs):
        return self._entry_response(self.get_object())

    def create(self, request, *args, **kwargs):
        body = self._valid_body()
        self._check_may_hold(body.validated_data)
        resource = _service_call(services.resource_create, by=request.user, **body.validated_data)
        response = self._entry_response(resource, status=status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response

    def update(self, request, *args, partial=False, **kwargs):
        resource = self._editable_object()
        expected_versions = if_match_versions(request)
        body = self._valid_body(resource, partial=partial)
        self._check_may_hold(body.validated_data, resource)
        try:
            resource = _service_call(
                services.resource_update,
                resource=resource,
                by=request.user,
                expected_versions=expected_versions,
                **body.validated_data,
            )
        except services.EditConflict:
            raise PreconditionFailed() from None
        return self._entry_response(resource)

    def get_queryset(self):
        resources = selectors.search_rows(Resource.objects.visible_to(self.request.user))
        if self.action == "list":
            return resources
        return resources.prefetch_related("categories", "features", "service_area", "hours")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return serializers.ResourceWriteSerializer
        if self.action == "vacancy":
            return serializers.VacancyReportSerializer
        if self.action == "list":
            return serializers.ResourceListSerializer
        return serializers.ResourceDetailSerializer

    def _valid_body(self, resource=None, partial=False):
        body = serializers.ResourceWriteSerializer(resource, data=self.request.data, partial=partial)
        body.is_valid(raise_exception=True)
        return body

    def _editable_object(self):
        """The entry in the URL: 404 when the caller may not see it, 403 when they may see but not edit it."""
        resource = self.get_object()
        if not Resource.objects.editable_by(self.request.user).filter(pk=resource.pk).exists():
            raise PermissionDenied(_("この情報を編集できるのは、その法人の職員とコーディネーターです。"))
        return resource

    def _check_may_hold(self, fields, resource=None):
        """Refuse an entry the caller could not edit once written (another organization's, say)."""
        organization = fields.get("organization", resource.organization if resource else None)
        visibility = fields.get("visibility", resource.visibility if resource else Visibility.PUBLIC)
        if not may_hold(self.request.user, organization=organization, visibility=visibility):
            raise PermissionDenied(_("この法人・公開範囲の情報は登録できません。"))

    def _entry_response(self, resource, status=status.HTTP_200_OK):
        """The entry as GET shows it, with its ETag (and 304 to a client that holds that version)."""
        resource = self.get_queryset().get(pk=resource.pk)
        serializer = serializers.ResourceDetailSerializer(resource, context=self.get_serializer_context())
        return with_etag(
            self.request, Response(serializer.data, status=status), services.resource_version(resource)
        )

    @extend_schema(
        request=serializers.VacancyReportSerializer, responses={201: serializers.VacancySerializer}
    )
    @action(detail=True, methods=["post"])
    def vacancy(self, request, pk=None):
        """Record a vacancy report (空き). For the resource's own staff and coordinators."""
        resource = self._editable_object()
        body = serializers.VacancyReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        vacancy = _service_call(
            services.vacancy_report, resource=resource, by=request.user, **body.validated_data
        )
        return Response(serializers.VacancySerializer(vacancy).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: serializers.RatingSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # one list, no search
    def ratings(self, request, pk=None):
        """The current ratings of an entry, with comments and their authors: professionals only (403)."""
        resource = self.get_object()
        if not is_professional(request.user):
            raise PermissionDenied(_("評価のコメントは専門職だけが見られます。"))
        ratings = Rating.objects.current().filter(resource=resource).select_related("user")
        return Response(serializers.RatingSerializer(ratings, many=True).data)


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
    """法人 that run at least one entry the caller may see: one named only by somebody's private entries
    stays unknown to everyone else."""

    serializer_class = serializers.OrganizationSerializer

    def get_queryset(self):
        return Organization.objects.with_entries_visible_to(self.request.user)


class PlanViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """サービス等利用計画: the caller's own plans and those shared with them; any other is a 404.
    Planners create plans; the owner and colleagues it is shared with for editing change them.
    Every plan read is logged (who, when)."""

    serializer_class = plan_serializers.PlanSerializer
    # Who may do what is decided by the queryset (404 for a plan the caller may not read, the anonymous
    # included) and by the writes below (403), not by the API's default read-only rule for the anonymous.
    permission_classes = [AllowAny]

    def get_queryset(self):
        return (
            Plan.objects.for_user(self.request.user)
            .select_related("owner", "municipality")
            .prefetch_related(
                "lines__category", "lines__provider", "lines__informal_support", "lines__candidates__resource"
            )
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data["results"] if isinstance(response.data, dict) else response.data
        for row in rows:
            plan_services.plan_view_log(plan=Plan(pk=row["id"]), user=request.user, page="api")
        return response

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        plan_services.plan_view_log(plan=plan, user=request.user, page="api")
        return Response(self.get_serializer(plan).data)

    def perform_create(self, serializer):
        if PLANNER not in roles_of(self.request.user):
            raise PermissionDenied(_("計画を作れるのは相談支援専門員です。"))
        serializer.instance = _service_call(
            plan_services.plan_create, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        plan = serializer.instance
        if not Plan.objects.editable_by(self.request.user).filter(pk=plan.pk).exists():
            raise PermissionDenied(_("この計画は閲覧のみ共有されています。"))
        serializer.instance = _service_call(
            plan_services.plan_update, plan=plan, by=self.request.user, **serializer.validated_data
        )


def page_not_found(request, exception):
    """The site's 404 (config.urls.handler404): under /api/ the API's own answer, `{"detail": …}` in JSON as
    its OpenAPI document says, for an address that names no operation (`/api/v1/resources/1.5/`)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
