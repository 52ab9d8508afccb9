from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("サービス等利用計画")

    def ready(self):
        from directory.hooks import (
            register_demo_step,
            register_search_panel,
            register_unmet_count,
            register_usage_count,
        )
        from plans.demo import load_demo_plans
        from plans.search_panel import shortlist_panel
        from plans.selectors import lines_choosing_resource, unmet_lines_by_category

        register_search_panel(shortlist_panel)
        register_demo_step(load_demo_plans)
        register_usage_count(lines_choosing_resource)
        register_unmet_count(unmet_lines_by_category)
