from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from core import retention

        retention.register("unconfirmed subscriptions", delete_expired_pending)


def delete_expired_pending(now):
    """Subscriptions never confirmed, older than NEWSLETTER_PENDING_DAYS, go."""
    from .models import Subscriber

    _, per_model = Subscriber.objects.expired_pending(now).delete()
    return per_model.get(Subscriber._meta.label, 0)
