"""E-mail each organization whose entries need confirming, asking it to confirm or correct them.

    python manage.py remind_stale [--every-days 30] [--dry-run]

An entry needs confirming when its 確認日 is older than VERIFIED_STALE_MONTHS or missing (the coordinator's
queue, Resource.objects.verification_due). The mail goes to the organization's service managers (their
accounts' e-mail addresses), else to the addresses of the entries themselves. Each mail sent is recorded
(StaleReminder), and an organization reminded within --every-days is not mailed again: the command can run
every day from cron. E-mail goes through Django's backend (EMAIL_BACKEND; the console in development).
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import timezone, translation

from directory import services
from directory.choices import VerificationQueue, Visibility
from directory.models import Organization, Resource, StaleReminder


def recipients_of(organization, entries):
    members = organization.memberships.filter(user__is_active=True).exclude(user__email="")
    addresses = sorted({membership.user.email for membership in members.select_related("user")})
    return addresses or sorted({entry.email for entry in entries if entry.email})


class Command(BaseCommand):
    help = "E-mail organizations whose entries are stale, asking them to confirm or correct them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every-days",
            type=int,
            default=30,
            help="do not remind an organization again within this many days (default 30)",
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")

    def handle(self, *args, every_days, dry_run, **options):
        translation.activate(settings.LANGUAGE_CODE)
        due = (
            Resource.objects.verification_due(VerificationQueue.STALE)
            .exclude(visibility=Visibility.PRIVATE)
            .filter(organization__isnull=False)
            .order_by(*Resource._meta.ordering)
        )
        reminded = StaleReminder.objects.filter(sent_at__gte=timezone.now() - timedelta(days=every_days))
        organizations = (
            Organization.objects.filter(pk__in=due.values("organization"))
            .exclude(pk__in=reminded.values("organization"))
            .order_by("pk")
        )
        sent = without_address = 0
        for organization in organizations:
            entries = list(due.filter(organization=organization))
            recipients = recipients_of(organization, entries)
            if not recipients:
                without_address += 1
                self.stderr.write(
                    f"No e-mail address for {organization.name} (id {organization.pk}): skipped"
                )
                continue
            if not dry_run:
                context = {"organization": organization, "entries": entries, "site_url": settings.SITE_URL}
                send_mail(
                    f"【地域資源マップ】登録情報の確認のお願い（{len(entries)}件）",
                    render_to_string("directory/email/stale_reminder.txt", context),
                    None,
                    recipients,
                )
                services.stale_reminder_record(
                    organization=organization, recipients=recipients, resource_count=len(entries)
                )
            sent += 1
            self.stdout.write(f"{organization.name}: {len(entries)} entries -> {', '.join(recipients)}")
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {sent} reminders; {without_address} organizations without an address; "
            f"{reminded.values('organization').distinct().count()} reminded within {every_days} days."
        )
