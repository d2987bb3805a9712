"""Severity from a CVSS vector, computed by the `cvss` library (RedHat's), never by hand."""

from dataclasses import dataclass
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError


class InvalidVector(ValueError):
    pass


@dataclass(frozen=True)
class Score:
    vector: str  # normalized by the library
    version: int  # 3 or 4, as OSV's severity type names it
    score: Decimal
    severity: str  # none, low, medium, high, critical


def score_vector(vector: str) -> Score:
    vector = vector.strip()
    try:
        if vector.startswith("CVSS:4.0/"):
            v4 = CVSS4(vector)
            return Score(v4.clean_vector(), 4, Decimal(str(v4.base_score)), v4.severity.lower())
        if vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
            v3 = CVSS3(vector)
            return Score(
                v3.clean_vector(), 3, Decimal(str(v3.base_score)), v3.severities()[0].lower()
            )
    except CVSSError as error:
        raise InvalidVector(str(error)) from error
    raise InvalidVector("a CVSS v3.0, v3.1 or v4.0 vector starts with CVSS:3.x/ or CVSS:4.0/")
