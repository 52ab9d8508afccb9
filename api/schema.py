"""The API's error answers in its OpenAPI document (a drf-spectacular postprocessing hook).

drf-spectacular documents what a view answers when it works. The errors are DRF's, the same shape for every
view: `{"detail": "…"}`, or for bad input an object naming each wrong parameter or field with its messages.
This hook adds them to every operation that can answer them, from what the operation documents itself:

- 400 where there are query parameters or a body to get wrong;
- 403 everywhere: a wrong token is refused on any request (the first authentication, the session's, has no
  challenge to send, so DRF answers 403 rather than 401), and a write also needs a user allowed to make it;
- 404 where a path parameter names something, where `format` names no format the operation has, and on
  DRF's paginated lists, where `page` runs past the last page;
- 412 and 428 where If-Match is required (the edit lost a race; the header is missing);
- 429 everywhere (the request rates of REST_FRAMEWORK's throttles).
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Each wrong query parameter or body field, named, with its messages (a list of strings; for a list "
        'of objects such as `hours`, their errors in the same order); `{"detail": …}` for a body that '
        "cannot be read at all."
    ),
    "additionalProperties": {},
}
ANSWERS = {
    "400": ("FieldErrors", "a parameter or field is wrong: each one is named with its messages"),
    "403": ("Error", "the token is wrong, or the caller may not do this"),
    "404": ("Error", "nothing has this id, or there is no such page or format"),
    "412": ("Error", "the entry changed since the ETag given in If-Match: nothing was written"),
    "428": ("Error", "If-Match is missing"),
    "429": ("Error", "too many requests: try again after Retry-After seconds"),
}


def error_answers(operation) -> list[str]:
    """The error statuses an operation can answer, by what it documents."""
    parameters = {(parameter["in"], parameter["name"]) for parameter in operation.get("parameters", [])}
    statuses = ["403", "429"]
    if any(place == "query" for place, _ in parameters) or "requestBody" in operation:
        statuses.append("400")
    if (
        any(place == "path" for place, _ in parameters)
        or ("query", "format") in parameters
        or paginated(operation)
    ):
        statuses.append("404")
    if ("header", "If-Match") in parameters:
        statuses += ["412", "428"]
    return sorted(statuses)


def paginated(operation) -> bool:
    """DRF's page-number pagination (a `page` past the last is a 404; HSDA's pages answer empty instead)."""
    body = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    return body.get("schema", {}).get("$ref", "").startswith("#/components/schemas/Paginated")


def document_error_answers(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(
        Error=ERROR, FieldErrors=FIELD_ERRORS
    )
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for status in error_answers(operation):
                component, description = ANSWERS[status]
                answer = operation["responses"].setdefault(status, {"description": description})
                answer.setdefault(
                    "content", {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
                )
    return result
