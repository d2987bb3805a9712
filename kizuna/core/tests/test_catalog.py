import ast
from pathlib import Path

import pytest

from kizuna.core import catalog
from kizuna.core.consumers import registered_consumers

KIZUNA = Path(__file__).resolve().parents[2]


def emitted_types() -> dict[str, list[str]]:
    """Every event type an `emit(...)` call in the code names, with where; non-literals fail."""
    found: dict[str, list[str]] = {}
    for path in sorted(KIZUNA.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            if not isinstance(node, ast.Call) or getattr(name, "id", None) != "emit":
                continue
            where = f"{path.relative_to(KIZUNA.parent)}:{node.lineno}"
            literals = [
                n.value
                for n in ast.walk(node.args[0])
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            assert literals, f"{where}: emit() must name its event type literally"
            for literal in literals:
                found.setdefault(literal, []).append(where)
    return found


def test_every_emit_call_in_the_code_names_a_declared_event_type():
    found = emitted_types()
    assert len(found) > 30  # the scan really found the apps' call sites
    undeclared = {name: where for name, where in found.items() if name not in catalog._types}
    assert undeclared == {}


def test_every_declared_type_is_emitted_somewhere():
    declared = {t.name for t in catalog.declared_types()} - {"thing.happened", "other.thing"}
    assert declared - {"thing.dated"} - set(emitted_types()) == set()


def test_every_registered_consumer_listens_only_to_declared_types():
    undeclared = {
        consumer.name: sorted(consumer.event_types - set(catalog._types))
        for consumer in registered_consumers()
        if consumer.event_types - set(catalog._types)
    }
    assert registered_consumers()
    assert undeclared == {}


def test_every_public_type_names_a_scope_and_partner_field_that_exists():
    for declared in catalog.public_types():
        assert declared.scope, declared.name
        if declared.partner_field:
            assert declared.partner_field in declared.schema.model_fields


def test_an_unknown_event_type_raises_a_key_error_naming_it():
    with pytest.raises(KeyError, match=r"nothing\.such"):
        catalog.event_type("nothing.such")


def test_declaring_a_personal_field_the_schema_lacks_is_refused():
    with pytest.raises(ValueError, match="email"):
        catalog.declare("thing.personal", schema=catalog.EventPayload, personal={"email"})


def test_declared_types_are_sorted_and_public_types_are_the_public_ones():
    names = [t.name for t in catalog.declared_types()]
    assert names == sorted(names)
    assert all(t.public for t in catalog.public_types())
    assert "lead.accepted" in {t.name for t in catalog.public_types()}
    assert "user.created" not in {t.name for t in catalog.public_types()}


def test_public_data_leaves_out_personal_fields_unless_allowed():
    accepted = catalog.event_type("lead.accepted")
    data = {"lead_id": 1, "contact_email": "m@example.com", "contact_name": "M"}
    assert catalog.public_data(accepted, data, personal_data=False) == {"lead_id": 1}
    assert catalog.public_data(accepted, data, personal_data=True) == data


def test_lead_events_before_acceptance_carry_no_contact_fields():
    for name in ("lead.created", "lead.offered", "lead.declined", "lead.expired"):
        fields = set(catalog.event_type(name).schema.model_fields)
        assert not {f for f in fields if f.startswith("contact")}, name
    assert {"contact_name", "contact_email", "contact_phone"} <= (
        catalog.event_type("lead.accepted").personal_fields
    )
