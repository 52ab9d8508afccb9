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
            "id",
            "priority",
            "need",
            "goal",
            "target_period",
            "support_kind",
            "category",
            "content",
            "amount",
            "days",
            "starts",
            "ends",
            "days_per_month",
            "service_cost_per_day_yen",
            "provider",
            "provider_name",
            "informal_support",
            "person_role",
            "review_timing",
            "notes",
            "status",
            "unmet_reason",
            "candidates",
        ]
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
            "id",
            "url",
            "owner",
            "kind",
            "stage",
            "person_name",
            "guardian_name",
            "guardian_relation",
            "birth_year",
            "municipality",
            "latitude",
            "longitude",
            "disability_groups",
            "support_level",
            "recipient_number",
            "income_bracket",
            "monthly_cap_yen",
            "drafted_on",
            "planned_on",
            "monitoring_months",
            "monitoring_from",
            "consent_on",
            "person_wishes",
            "family_wishes",
            "policy",
            "long_term_goal",
            "short_term_goal",
            "daily_activities",
            "non_weekly_services",
            "whole_picture",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The model's own validators run once, in the service's full_clean (with messages naming fields).
        validators = []
