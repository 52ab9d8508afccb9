"""Plans over REST: only their shape. Rules live in plans.services and plans.models."""

from rest_framework import serializers

from directory.choices import DisabilityGroup
from directory.models import Municipality
from plans.choices import ScheduleDay
from plans.models import Candidate, Plan, PlanLine


class CandidateSerializer(serializers.ModelSerializer):
    resource_name = serializers.CharField(source="resource.name", read_only=True)

    class Meta:
        model = Candidate
        fields = ["id", "resource", "resource_name", "status", "reason", "added_at"]


class PlanLineSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True, default=None)
    informal_support = serializers.StringRelatedField(read_only=True)
    days = serializers.ListField(child=serializers.ChoiceField(ScheduleDay.choices), read_only=True)
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = PlanLine
        fields = [
            "id", *PlanLine.NEED_FIELDS, *PlanLine.SERVICE_FIELDS, *PlanLine.STATUS_FIELDS, "provider",
            "provider_name", "candidates",
        ]  # fmt: skip
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail")
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", queryset=Municipality.objects.all())
    disability_groups = serializers.ListField(
        child=serializers.ChoiceField(DisabilityGroup.choices), required=False
    )
    monthly_cap_yen = serializers.IntegerField(read_only=True)
    lines = PlanLineSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id", "url", "owner", *Plan.HEADER_FIELDS, "monthly_cap_yen", *Plan.WEEK_FIELDS, "lines",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        # The model's own validators run once, in the service's full_clean (with messages naming fields).
        validators = []
