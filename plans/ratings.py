"""Hook for rating a provider "based on use" from a line's モニタリング review (the ratings issue).

`rating_url(review)` answers the address of the rating form for the provider of that review, carrying that the
rating is based on use (the review's id); the monitoring report links to it for those who may edit the plan.
Ratings do not exist yet, so it answers None and the report shows no link. When they do, fill this in and
nothing else in plans changes.
"""


def rating_url(review):
    return None
