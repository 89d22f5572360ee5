"""Admin for coordinators: look into webhooks, deliveries and the event outbox.

Webhooks are created by mentors on the project's page, where the URL is
checked against private addresses; here only ``active`` and ``events``
change, through the same service. The secret is never displayed.
Deliveries (with every attempt) and events are a log: read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.admin_i18n import GrammaticalAdminMixin
from config.errors import DomainError
from integrations import services
from integrations.models import (
    DeliveryAttempt,
    Event,
    EventReceipt,
    EventType,
    Webhook,
    WebhookDelivery,
)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class WebhookAdminForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["active", "events"]

    def clean(self) -> dict:
        cleaned = super().clean()
        # Saving an active webhook checks its URL again (the service would
        # refuse it too): its name may resolve to an internal address by now.
        if cleaned.get("active"):
            try:
                services.webhook_check_url(url=self.instance.url)
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned


@admin.register(Webhook)
class WebhookAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    form = WebhookAdminForm
    list_display = ("url", "project", "active", "event_list", "created_by", "created_at")
    list_filter = ("active", "project__team__cohort")
    list_select_related = ("project", "created_by")
    search_fields = ("url", "project__key", "project__name")
    fields = ("project", "url", "secret_hint", "events", "active", "created_by", "created_at")
    readonly_fields = ("project", "url", "secret_hint", "created_by", "created_at")

    @admin.display(description=_("events"))
    def event_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.events)

    @admin.display(description=_("secret"))
    def secret_hint(self, webhook: Webhook) -> str:
        return f"••••{webhook.secret_last4}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by mentors on the project's page, where the URL is checked

    def save_model(self, request: HttpRequest, obj: Webhook, form, change: bool) -> None:
        # Through the service: deactivating also cancels pending retries.
        services.webhook_update(
            webhook=obj,
            by=request.user,
            events=form.cleaned_data["events"],
            active=form.cleaned_data["active"],
        )


class DeliveryAttemptInline(admin.TabularInline):
    """Every attempt of the delivery, oldest first: a log, read-only."""

    model = DeliveryAttempt
    fields = ("number", "started_at", "ok", "status_code", "duration_ms", "error")
    readonly_fields = fields
    ordering = ("number",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(GrammaticalAdminMixin, _ReadOnlyAdmin):
    inlines = [DeliveryAttemptInline]
    list_display = (
        "id",
        "webhook",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "created_at",
    )
    list_filter = ("status", "event__type")
    list_select_related = ("webhook", "event")
    search_fields = ("=id", "webhook__url", "=event__id")
    date_hierarchy = "created_at"
    fields = (
        "id",
        "event",
        "webhook",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "last_error",
        "next_attempt_at",
        "claimed_until",
        "claimed_by",
        "delivered_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("event"), ordering="event__type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type


class EventReceiptInline(admin.TabularInline):
    """Which consumers (besides webhooks: ``dispatched at``) have handled the event."""

    model = EventReceipt
    fields = ("consumer", "handled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(GrammaticalAdminMixin, _ReadOnlyAdmin):
    inlines = (EventReceiptInline,)
    list_display = ("id", "type", "project", "created_at", "dispatched_at")
    list_filter = ("type",)
    list_select_related = ("project",)
    search_fields = ("=id", "project__key")
    date_hierarchy = "created_at"
    fields = ("id", "type", "project", "data", "created_at", "dispatched_at")
    readonly_fields = fields
