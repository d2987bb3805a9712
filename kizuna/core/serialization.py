import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def json_ready(value: Any) -> Any:
    """value with dates, decimals and UUIDs turned into the JSON the database will store."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
