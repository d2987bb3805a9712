# Partners listed in the directory (leads go only to those), made as the directory tests do.
from kizuna.directory.tests.conftest import _catalog_and_index, make_partner  # noqa: F401
