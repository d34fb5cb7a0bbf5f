from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NewsletterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from articles.publishing import post_published
        from core import personal_data, retention

        from . import rights, roles, sending
        from .models import batches_due

        post_migrate.connect(roles.ensure_roles, sender=self)
        post_published.connect(sending.published, dispatch_uid="newsletter.sending")
        batches_due.connect(sending.queue_batches, dispatch_uid="newsletter.batches")
        retention.register("unconfirmed subscriptions", delete_expired_pending)
        personal_data.register(rights.HOLDER)


def delete_expired_pending(now):
    """Subscriptions never confirmed, older than NEWSLETTER_PENDING_DAYS, go."""
    from .models import Subscriber

    _, per_model = Subscriber.objects.expired_pending(now).delete()
    return per_model.get(Subscriber._meta.label, 0)
