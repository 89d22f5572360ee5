"""The coverage guard: every URL the site serves has a row in the permission matrix.

A new page, htmx partial or API endpoint fails here until ``MATRIX`` in
``tests/security/matrix.py`` says who may do what on it; a row whose URL is
gone fails too. The only URLs left out are listed below with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path, re_path

from tests.security.matrix import MATRIX, METHODS, Row, World
from tests.security.test_permission_matrix import build_url

# Namespaces and views that are not ours to guard, and why.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin: django.contrib.admin lets in only active staff "
    "(tests/test_admin.py covers what we add to it)",
}
EXCLUDED_VIEWS = {
    "django.contrib.staticfiles.views.serve": "static files, only routed with DEBUG on "
    "(WhiteNoise serves them otherwise); public by nature",
}


@dataclass(frozen=True)
class Route:
    key: str  # what MATRIX is keyed by: [namespace:]name, or the route for an unnamed one
    route: str
    view: str
    named: bool


def _view_path(pattern: URLPattern) -> str:
    callback = pattern.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return f"{view.__module__}.{view.__qualname__}"


def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                inner = f"{namespace}{pattern.namespace}:"
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            if _view_path(pattern) in EXCLUDED_VIEWS:
                continue
            key = f"{namespace}{pattern.name}" if pattern.name else route
            yield Route(key=key, route=route, view=_view_path(pattern), named=bool(pattern.name))


def site_routes(patterns=None) -> list[Route]:
    return list(walk(get_resolver().url_patterns if patterns is None else patterns))


def coverage_problems(patterns=None) -> list[str]:
    routes = {route.key: route for route in site_routes(patterns)}
    missing = sorted(set(routes) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(routes))
    return [
        f"  {key}  (/{routes[key].route} → {routes[key].view}): no row in MATRIX"
        + ("" if routes[key].named else "; name the pattern (rows use reverse)")
        for key in missing
    ] + [f"  {key}: a MATRIX row for a URL the site no longer has" for key in stale]


def test_every_url_pattern_has_a_row_in_the_permission_matrix():
    problems = coverage_problems()
    assert not problems, (
        "The permission matrix (tests/security/matrix.py) and the URLs disagree:\n"
        + "\n".join(problems)
        + "\nAdd a row saying what each persona (anonymous, staff, mentor, intern, outsider, "
        "other_mentor) gets for each method, or drop the stale row."
    )


def test_a_new_url_without_a_row_is_named(settings):
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    settings.DEBUG = True  # static files get a route only then

    def report_view(request):
        return HttpResponse()

    extra = [
        path("reports/<int:pk>/", report_view, name="new-report"),
        re_path(r"^legacy/(?P<slug>[a-z]+)/$", report_view),
        path("admin-tools/", include(([path("x/", report_view, name="x")], "admin"))),
        path("tasks/", include(([path("y/", report_view, name="y")], "tasks"))),
    ]
    static = staticfiles_urlpatterns()
    assert static
    problems = coverage_problems([*get_resolver().url_patterns, *static, *extra])
    assert len(problems) == 3, problems  # static files and admin's namespace are skipped
    named, unnamed, namespaced = (
        next(problem for problem in problems if problem.startswith(f"  {key}  ("))
        for key in ("new-report", "^legacy/(?P<slug>[a-z]+)/$", "tasks:y")
    )
    assert "(/reports/<int:pk>/ → tests.security.test_url_coverage." in named
    assert unnamed.endswith("no row in MATRIX; name the pattern (rows use reverse)")
    assert "(/tasks/y/ → " in namespaced


def test_url_names_are_unique_so_each_row_means_one_endpoint():
    counts = Counter(route.key for route in site_routes())
    shared = {key: count for key, count in counts.items() if count > 1}
    assert not shared, f"URL names used by more than one pattern: {shared}"


def test_the_guard_walks_into_api_and_htmx_routes():
    keys = {route.key for route in site_routes()}
    assert {"api-task-detail", "api-webhook-deliveries", "board_changes", "healthz"} <= keys
    assert not any(key.startswith("admin:") for key in keys)


# --- Methods: an endpoint accepting a method that no row exercises fails too ---------


def _unexercised_methods(row: Row) -> list[str]:
    exercised = {check.method for check in row.checks}
    return [method for method in METHODS if method not in exercised]


METHOD_CASES = [
    pytest.param(name, id=name) for name, row in MATRIX.items() if _unexercised_methods(row)
]


@pytest.mark.parametrize("name", METHOD_CASES)
def test_methods_without_a_row_are_refused(request, world: World, login_as, name):
    """Any method a row does not exercise answers 405, so no method escapes the matrix.

    Asked as staff (past every permission check), or anonymously on public
    rows (some public views, like the login page, redirect signed-in users).
    """
    row = MATRIX[name]
    for fixture in row.needs:
        request.getfixturevalue(fixture)
    client = login_as("anonymous" if row.public else "staff", api=row.api)
    url = build_url(name, row, world)
    answered = {}
    for method in _unexercised_methods(row):
        response = getattr(client, method)(url)
        if response.status_code != 405:
            answered[method.upper()] = response.status_code
    assert not answered, (
        f"{url} answers {answered} to methods its row {name!r} in tests/security/matrix.py "
        "does not exercise: add checks for them (or refuse them with 405)"
    )
