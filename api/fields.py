"""Fields the API's parameters and bodies share."""

from datetime import UTC, datetime

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


class CalendarDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField over the whole calendar. A time within hours of its ends (0001-01-01, 9999-12-31)
    cannot be moved into the site's time zone or into UTC, the database's: DRF's own check of a naive one
    raises OverflowError (a 500) and the database adapter would too. Such a time is read as the first or
    the last instant the database can hold, which answers a bound (`modified_after`) truly and leaves a
    date that must be recent (a vacancy report's) to the model's own rule and message."""

    def enforce_timezone(self, value):
        try:
            aware = super().enforce_timezone(value)
            aware.astimezone(UTC)
            return aware
        except OverflowError:
            pass
        except ValidationError as error:
            if not any(detail.code == "overflow" for detail in error.detail):
                raise
        return EARLIEST if value.year < datetime.max.year // 2 else LATEST
