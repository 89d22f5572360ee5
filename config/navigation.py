"""Links from pages of lower apps to pages of higher ones, without naming them.

Apps depend one way (analytics → tasks → integrations → projects → teams →
accounts), yet the header every page shares links to the dashboard, and a
project's settings page links to its board and webhooks. So a lower app's
page names a *place*, and the app owning the target page registers its link
there from its ``AppConfig.ready``::

    navigation.register("project", "board", label=_("Open the board"), url_name="board")

Places: ``"main"`` links take no arguments (the header's navigation; the
first one is the home page, which breadcrumbs and error pages lead back to);
``"project"`` links take the project's id (the first one is where a project's
name leads); ``"team"`` links take a team's id (shown to its managers) and
``"intern"`` links a user's id. ``config`` imports no domain app: apps come to it.

Panels are the same idea for whole sections of a page: a higher app
registers a template and a function building its context from the request
(``None``: nothing to show), and the lower page includes what ``panels()``
returns (the dashboard's at-risk interns come from analytics this way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    name: str
    label: str | Promise
    url: str


@dataclass(frozen=True)
class _Entry:
    name: str
    label: str | Promise
    url_name: str
    order: int


_places: dict[str, list[_Entry]] = {}

# Where "home" leads while no app has registered a main link (e.g. a test setup).
_FALLBACK_HOME = Link(name="home", label=_("Home"), url="/")


def register(
    place: str, name: str, *, label: str | Promise, url_name: str, order: int = 100
) -> None:
    """Offer the page ``url_name`` at ``place``; links show in ``order``. Registering a
    ``name`` again replaces it, so a repeated ``ready()`` adds nothing twice."""
    entries = [entry for entry in _places.get(place, []) if entry.name != name]
    entries.append(_Entry(name=name, label=label, url_name=url_name, order=order))
    _places[place] = sorted(entries, key=lambda entry: entry.order)


def links(place: str, *args: object) -> list[Link]:
    """The links registered at ``place``, their URLs reversed with ``args``."""
    return [
        Link(name=entry.name, label=entry.label, url=reverse(entry.url_name, args=args))
        for entry in _places.get(place, [])
    ]


def context(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``main_links`` for the header, ``home_link`` for "back home" links."""
    main = links("main")
    return {"main_links": main, "home_link": main[0] if main else _FALLBACK_HOME}


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class _PanelEntry:
    name: str
    template: str
    build: Callable[[HttpRequest], dict[str, Any] | None]
    order: int


_panels: dict[str, list[_PanelEntry]] = {}


def register_panel(
    place: str,
    name: str,
    *,
    template: str,
    build: Callable[[HttpRequest], dict[str, Any] | None],
    order: int = 100,
) -> None:
    """Offer a section at ``place``: ``template`` rendered with ``build(request)`` as
    ``panel``. Registering a ``name`` again replaces it."""
    entries = [entry for entry in _panels.get(place, []) if entry.name != name]
    entries.append(_PanelEntry(name=name, template=template, build=build, order=order))
    _panels[place] = sorted(entries, key=lambda entry: entry.order)


def panels(place: str, request: HttpRequest) -> list[Panel]:
    """The sections registered at ``place`` that have something to show."""
    built = []
    for entry in _panels.get(place, []):
        context = entry.build(request)
        if context is not None:
            built.append(Panel(name=entry.name, template=entry.template, context=context))
    return built
