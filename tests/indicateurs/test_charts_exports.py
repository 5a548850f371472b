"""Server-rendered SVG charts (accessible, no inline style for the CSP, masked values shown as
"s"). The CSV/XLSX writer of the dashboard tables is the platform's one (tests/cep/test_exports.py);
the dashboard's own downloads are tested in test_dashboard.py."""

import xml.etree.ElementTree as ET

import pytest

from indicateurs.charts import Series, bar_chart, format_number

SVG = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator used throughout


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cep-chart__bar"]


def chart(**kwargs) -> str:
    defaults = {
        "title": "Parcours ouverts",
        "description": "Parcours ouverts par mois, janvier et février 2026.",
        "labels": ["janv. 2026", "févr. 2026"],
        "series": [Series("Période", [10, 20])],
    }
    return bar_chart(**{**defaults, **kwargs})


# format_number


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, f"1{NNBSP}234,5"),
        (1234, 0, f"1{NNBSP}234"),
        (1234567, 0, f"1{NNBSP}234{NNBSP}567"),
        (12.5, 1, "12,5"),
        (0, 0, "0"),
        (-0.04, 1, "0,0"),
        (-1500, 0, f"-1{NNBSP}500"),
        (None, 0, "s"),
    ],
)
def test_format_number_is_french(value, decimals, expected):
    assert format_number(value, decimals=decimals) == expected


# bar_chart


def test_chart_is_an_accessible_svg_image():
    root = parse(chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Parcours ouverts")
    assert desc.get("id") == desc_id
    assert desc.text == "Parcours ouverts par mois, janvier et février 2026."


def test_chart_ids_are_unique_per_call():
    first = parse(chart()).get("aria-labelledby")
    second = parse(chart()).get("aria-labelledby")
    assert first != second
    assert first.split()[0][0].isalpha()  # an XML id cannot start with a digit


def test_bar_heights_are_proportional_to_values():
    root = parse(chart())
    first, second = bars(root)
    # Axis 0 to 20 over a 260-unit plot: 10 -> 130, 20 -> 260.
    assert float(first.get("height")) == 130
    assert float(second.get("height")) == 260
    assert float(second.get("height")) == 2 * float(first.get("height"))
    # Both stand on the same baseline.
    assert float(first.get("y")) + 130 == float(second.get("y")) + 260
    assert first.get("fill") == "#000091"


def test_y_axis_has_round_french_ticks():
    root = parse(chart(series=[Series("Période", [1200, 2500])]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    # 0 to 2 500 by 500: thousands separated by a narrow no-break space.
    for tick in ["0", "500", f"1{NNBSP}000", f"1{NNBSP}500", f"2{NNBSP}000", f"2{NNBSP}500"]:
        assert tick in texts


def test_decimal_ticks_use_a_comma():
    root = parse(chart(series=[Series("Taux", [0.2, 0.3])]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "0,1", "0,2", "0,3"} <= set(texts)


def test_masked_value_is_an_s_marker_not_a_bar():
    root = parse(chart(series=[Series("Période", [10, None])]))
    assert len(bars(root)) == 1
    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cep-chart__masked"]
    assert len(markers) == 1
    assert markers[0].find(f"{SVG}circle").get("fill") == "#eeeeee"
    assert markers[0].find(f"{SVG}text").text == "s"
    assert "secret statistique" in markers[0].find(f"{SVG}title").text


def test_two_series_are_grouped_with_a_legend():
    root = parse(
        chart(series=[Series("Période", [10, None]), Series("Période précédente", [5, 20])])
    )
    assert [b.get("fill") for b in bars(root)] == ["#000091", "#6a6af4", "#6a6af4"]
    swatches = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cep-chart__legend-swatch"]
    assert [s.get("fill") for s in swatches] == ["#000091", "#6a6af4"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Période" in texts
    assert "Période précédente" in texts


def test_single_series_has_no_legend():
    root = parse(chart())
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cep-chart__legend-swatch"]


def test_text_is_escaped():
    svg = chart(
        title="Moins de <5 ans & plus",
        description='Avec "guillemets"',
        labels=["<script>alert(1)</script>", "b"],
        series=[Series("Série <x>", [1, 2]), Series("Autre", [3, 4])],
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "cep-chart__label"]
    assert labels == ["<script>alert(1)</script>", "b"]
    assert root.find(f"{SVG}title").text == "Moins de <5 ans & plus"


def test_no_inline_style_nor_script():
    svg = chart(series=[Series("Période", [10, None]), Series("Période précédente", [5, 20])])
    root = parse(svg)
    for element in root.iter():
        assert "style" not in element.attrib
        assert element.tag not in {f"{SVG}style", f"{SVG}script"}
    assert "style" not in svg
    assert "<script" not in svg


def test_all_zero_or_masked_values_draw_without_error():
    root = parse(chart(series=[Series("Période", [0, None])]))
    (bar,) = bars(root)
    assert float(bar.get("height")) == 0
    empty = parse(chart(series=[Series("Période", [None, None])]))
    assert bars(empty) == []
    nothing = parse(chart(labels=[], series=[]))
    assert "Aucune donnée disponible" in [t.text for t in nothing.iter(f"{SVG}text")]


def test_many_labels_are_rotated_and_thinned_out():
    labels = [f"mois {i}" for i in range(36)]
    root = parse(chart(labels=labels, series=[Series("Période", list(range(36)))]))
    shown = [t for t in root.iter(f"{SVG}text") if t.get("class") == "cep-chart__label"]
    assert len(bars(root)) == 36
    assert 12 <= len(shown) < 36
    assert shown[0].text == "mois 0"
    assert all(t.get("transform", "").startswith("rotate(-45") for t in shown)


def test_few_short_labels_stay_horizontal():
    root = parse(chart(labels=["T1", "T2", "T3"], series=[Series("Période", [1, 2, 3])]))
    shown = [t for t in root.iter(f"{SVG}text") if t.get("class") == "cep-chart__label"]
    assert [t.text for t in shown] == ["T1", "T2", "T3"]
    assert all("transform" not in t.attrib for t in shown)


def test_values_and_labels_must_match():
    with pytest.raises(ValueError):
        chart(series=[Series("Période", [1])])
