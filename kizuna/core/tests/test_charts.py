from datetime import date

import pytest

from kizuna.core.charts import chart


def test_the_plotly_js_comes_from_the_plotly_package(client):
    response = client.get("/charts/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()


def test_a_chart_marks_the_period_in_progress_only_when_it_is_shown():
    weeks = [date(2026, 11, 23), date(2026, 11, 30)]
    shown = chart("c", weeks, [("Talks", [1, 2])], "stack", unit="items", partial=weeks[-1])
    assert shown["partial"] == "2026-11-30"
    assert shown["x"] == ["2026-11-23", "2026-11-30"]
    assert shown["series"] == [{"name": "Talks", "y": [1, 2]}]
    earlier = chart("c", weeks, [("Talks", [1, 2])], "stack", partial=date(2026, 12, 7))
    assert earlier["partial"] == ""


def test_an_unknown_chart_kind_is_refused():
    with pytest.raises(ValueError, match="pie"):
        chart("c", [], [], "pie")
