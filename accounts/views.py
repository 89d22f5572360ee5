from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import ApiTokenForm, LanguageForm, ProfileForm
from accounts.models import ApiToken
from config.errors import DomainError
from config.htmx import AuthenticatedRequest, HtmxRequest


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm.for_user(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.user_update_profile(user=request.user, **form.cleaned_data)
        translation.activate(user.preferred_language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language)
        return response
    status = 400 if form.is_bound else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@require_POST
def language_switch_view(request: HtmxRequest) -> HttpResponse:
    """Switch the interface language: a cookie for everyone, saved on the profile if signed in.

    The switcher is a plain form, so it works without JavaScript; ``next``
    only ever points back into this site.
    """
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


# The new token waits in the (database-backed) session for the one GET after the
# create POST, so a reload cannot submit the form again; it is never put in a
# cookie or a URL, and that GET deletes it.
NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"  # noqa: S105 - a key name


@never_cache  # the page right after creation holds a secret: keep it out of every cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens_view(request: AuthenticatedRequest) -> HttpResponse:
    """List the user's API tokens and create one (Post/Redirect/Get).

    The new token is shown once, on the first page after creation.
    """
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = new_token
            return redirect("api_tokens")
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "tokens": ApiToken.objects.owned_by(request.user),
        "new_token": None if form.is_bound else request.session.pop(NEW_TOKEN_SESSION_KEY, None),
    }
    return render(request, "accounts/tokens.html", context, status=status)


@require_POST
@login_required
def api_token_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Scope and id in one lookup: another user's token is a 404, like a missing one.
    token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
