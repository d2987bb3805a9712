# Imported so that pytest finds the autouse fixture for this folder's tests.
from kizuna.community.testing import default_activity_types  # noqa: F401
