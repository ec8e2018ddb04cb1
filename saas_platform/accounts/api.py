from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.CharField()
    studio = serializers.CharField()


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """Who the session or token belongs to, in which studio: the first call a tool makes."""
    return Response(
        MeSerializer(
            {"email": request.user.email, "role": request.user.role, "studio": request.tenant.slug}
        ).data
    )
