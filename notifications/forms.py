from __future__ import annotations

from django import forms

from notifications.models import Channel, NotificationKind


class NotificationSettingsForm(forms.Form):
    """One choice of channel per kind of notification."""

    def __init__(self, *args, channels: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=channels[kind.value],
                widget=forms.RadioSelect,
            )


class WatchForm(forms.Form):
    """``watch=1`` starts watching, anything else stops."""

    watch = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", empty_value=False
    )
