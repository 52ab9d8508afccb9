"""Extension points that other apps fill in, so that directory imports none of them (DESIGN §3): the
search page's panel, the demo loader's further steps, how often an entry is used (for the coordinator's
verification queue) and how many needs found no provider (for the coordinator's 地域診断).

A search panel is what the search page shows around its results for a purpose another app knows about
(plans: a line's shortlist, when the page is opened from a plan line with `?for_line=`). Each registered
function takes the request and answers None or a SearchPanel.
"""

from dataclasses import dataclass, field

_search_panels = []


@dataclass
class SearchPanel:
    template: str  # shown above the results
    result_template: str  # shown in each result, with `resource` in its context
    context: dict = field(default_factory=dict)
    keep: list = field(default_factory=list)  # (name, value) pairs the search form carries on


def register_search_panel(function):
    if function not in _search_panels:
        _search_panels.append(function)
    return function


def search_panel(request):
    """The first panel a registered app offers for this request, or None."""
    for function in _search_panels:
        panel = function(request)
        if panel is not None:
            return panel
    return None


_demo_steps = []


def register_demo_step(function):
    """A function `load_demo` calls after the catalogue is loaded, with keyword arguments `users` (the demo
    users by name; empty when DEBUG is off) and `stdout`; it must be idempotent like the command."""
    if function not in _demo_steps:
        _demo_steps.append(function)
    return function


def run_demo_steps(**arguments):
    for function in _demo_steps:
        function(**arguments)


_usage_counts = []


def register_usage_count(function):
    """A function returning an expression that counts, for the resource at OuterRef("pk"), how often it
    is used (plans: the plan lines that chose it); the coordinator's queue puts the most used first."""
    if function not in _usage_counts:
        _usage_counts.append(function)
    return function


def usage_count():
    """The registered counts added up, as one expression (0 when no app registered one)."""
    from django.db.models import IntegerField, Value
    from django.db.models.functions import Coalesce

    total = Value(0, output_field=IntegerField())
    for function in _usage_counts:
        total = total + Coalesce(function(), Value(0), output_field=IntegerField())
    return total


_unmet_counts = []


def register_unmet_count(function):
    """A function taking municipality ids and returning {category id: how many needs of people living there
    found no provider} (plans: the plan lines marked 未充足); the coordinator's 地域診断 shows the sums."""
    if function not in _unmet_counts:
        _unmet_counts.append(function)
    return function


def unmet_counts(municipality_ids):
    """The registered counts added up, {category id: n} (empty when no app registered one)."""
    totals = {}
    for function in _unmet_counts:
        for category_id, n in function(municipality_ids).items():
            totals[category_id] = totals.get(category_id, 0) + n
    return totals
