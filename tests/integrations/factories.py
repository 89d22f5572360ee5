import factory
from django.utils import timezone

from integrations.models import DeliveryStatus, Event, EventType, Webhook, WebhookDelivery
from tests.projects.factories import ProjectFactory


class WebhookFactory(factory.django.DjangoModelFactory):
    """A stored webhook (no URL check: tests that need one go through the service)."""

    class Meta:
        model = Webhook

    project = factory.SubFactory(ProjectFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    secret = factory.Sequence(lambda n: f"factory-secret-{n:04d}-abcdefgh")
    events = factory.LazyFunction(lambda: list(EventType.values))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    project = factory.SubFactory(ProjectFactory)
    type = EventType.TASK_CREATED
    data = factory.LazyFunction(dict)
    dispatched_at = factory.LazyFunction(timezone.now)


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    webhook = factory.SubFactory(WebhookFactory)
    event = factory.SubFactory(EventFactory, project=factory.SelfAttribute("..webhook.project"))
    status = DeliveryStatus.SUCCEEDED
    attempts = 1
    last_status_code = 200
    last_duration_ms = 42
