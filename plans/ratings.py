"""Rating a provider "based on use" from a line's モニタリング review: `rating_url(review)` is the address of
the directory's rating form for the provider the review speaks of, with 「実際の利用にもとづく」 ticked; the
monitoring report links to it for those who may edit the plan. No plan data travels with it."""

from django.urls import reverse


def rating_url(review):
    if review.provider_id is None:
        return None
    return reverse("directory:resource-rate", args=[review.provider_id]) + "?based_on_use=1"
