"""Conditional requests on resources: ETags out, If-Match in (RFC 9110 §13)."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from directory.services import EDIT_CONFLICT_MESSAGE

ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _("If-Match ヘッダーに、編集を始めたときの ETag を付けてください。")
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = EDIT_CONFLICT_MESSAGE
    default_code = "precondition_failed"


def if_match_versions(request) -> set[str]:
    """The versions an edit may apply to, from If-Match; 428 when it is missing or is `*`.

    Weak tags never match (RFC 9110 §13.1.1), and a header that holds no tag matches nothing (412)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    return {tag for weak, tag in ENTITY_TAG.findall(header) if not weak}


def with_etag(request, response, version: str):
    """Give the response its strong ETag; a GET whose If-None-Match holds it gets 304 instead."""
    etag = f'"{version}"'
    if request.method == "GET" and etag in request.headers.get("If-None-Match", ""):
        response.status_code = status.HTTP_304_NOT_MODIFIED
        response.data = None
    response["ETag"] = etag
    return response
