"""The OpenAPI schema tells the truth about errors: every operation lists the error statuses
it can answer, in the JSON shape ``saas_platform.api_errors`` guarantees, so a client (and the
schemathesis run in the tests) can rely on the schema for failures as well as successes."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ErrorSerializer(serializers.Serializer):
    """``{"detail": "…"}``, in the studio's language."""

    detail = serializers.CharField()


# DRF's invalid input is ``{"field": ["…"]}`` (``non_field_errors`` for the whole body);
# anything refused before validation is ``{"detail": "…"}``.
INVALID = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object"},
        ]
    },
}

DESCRIPTIONS = {
    "400": 'Invalid input: `{"field": ["…"]}` or `{"detail": "…"}`.',
    "401": "No valid token or session (a token of another studio, revoked or stale).",
    "403": "The caller's role may not do this (or a session request without its CSRF token).",
    "404": "No such object in this studio (another studio's id too), or no such page.",
    "409": "Valid, but the records' present state refuses it; `detail` says why.",
    "413": "The request body is larger than the server accepts.",
    "415": "The body's `Content-Type` is not one the operation reads, or it does not parse.",
}


def error_response(code: str, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(
        response=INVALID if code == "400" else ErrorSerializer,
        description=description or DESCRIPTIONS[code],
    )


class StudioAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers every studio API view can give: 401
    and 403 (authentication and the role policy), 404 for a path id or a page out of range,
    400 for a body or a query, 413 and 415 for a body (404 too for an unknown ``format``). An operation's own ``extend_schema`` responses
    (a 409 with its reason) come first and are kept."""

    def _error_codes(self) -> list[str]:
        codes = []
        public = any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
        if not public:
            codes += ["401", "403"]
        has_body = self.method in BODY_METHODS
        has_query = self.method == "GET" and (
            self._is_list_view()
            or self._get_filter_parameters()
            or any(p.get("in") == "query" for p in self._get_parameters() or [])
        )
        if has_body or has_query:
            codes.append("400")
        format_param = any(p.get("name") == "format" for p in self._get_parameters() or [])
        if "{" in self.path or format_param or (self.method == "GET" and self._is_list_view()):
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(code), code, direction=direction
                )
        return responses
