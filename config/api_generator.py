"""The OpenAPI schema generator: drf-spectacular's, always in one language.

Apart from ``config.api_schema`` because drf-spectacular's views module
imports the generator class named in the settings while it loads.
"""

from __future__ import annotations

from django.utils import translation
from drf_spectacular import generators
from rest_framework.request import Request

# The schema's language unless ``?lang=`` asks for a translated copy.
SCHEMA_LANGUAGE = "en"


class SchemaGenerator(generators.SchemaGenerator):
    """In English whoever asks (``?lang=``, checked by ``SchemaView``, picks a translated
    copy): the requester's or token owner's language never reaches the schema."""

    def get_schema(self, request: Request | None = None, public: bool = False) -> dict:
        lang = request.query_params.get("lang") if request is not None else None
        with translation.override(lang or SCHEMA_LANGUAGE):
            return super().get_schema(request=request, public=public)
