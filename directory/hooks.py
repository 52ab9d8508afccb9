"""Extension points that other apps fill in, so that directory imports none of them (DESIGN §3): the
search page's panel and the demo loader's further steps.

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
