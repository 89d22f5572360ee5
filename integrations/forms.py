from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import SECRET_MAX_LENGTH, URL_MAX_LENGTH, EventType, Webhook


class WebhookForm(forms.Form):
    """A webhook's settings. The project comes from the URL, never from the form.

    The secret is a password input that is never filled back in, so it does
    not reappear in the page after an error or when editing.
    """

    url = forms.URLField(
        label=_("Payload URL"),
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        help_text=_("A public http:// or https:// address; redirects are not followed."),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=SECRET_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Signs every delivery (X-Internboard-Signature). Leave empty to generate one."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=EventType.values,
    )
    active = forms.BooleanField(label=_("Send events"), required=False, initial=True)

    def __init__(self, *args, webhook: Webhook | None = None, **kwargs):
        if webhook is not None:
            kwargs.setdefault(
                "initial", {"url": webhook.url, "events": webhook.events, "active": webhook.active}
            )
        super().__init__(*args, **kwargs)
        if webhook is not None:
            self.fields["secret"].help_text = _(
                "Leave empty to keep the current secret (••••%(last4)s); type a new one to "
                "replace it."
            ) % {"last4": webhook.secret_last4}
