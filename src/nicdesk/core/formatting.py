"""How a measure's values are written, on screen, on paper and in the CLI: the one place.

Apart from `core.measures` (chart choice, pooling, judgements) because every form and the
navigator's summaries need it on the way to the first filled screen, and it must not
bring the run-chart and control-chart rules with it.  Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

from .states import ValueType

MISSING = "—"  # what a table shows for "no value"


# ------------------------------------------------------------------ percent
def is_percent(value_type: str, unit: str | None = None) -> bool:
    """Whether a measure's values are fractions (0..1) shown as percentages (0..100 %).

    A proportion always is; a measure of another kind is when its unit says "%", since a
    value typed or imported with a "%" sign is stored divided by 100."""
    return value_type == ValueType.PROPORTION or "%" in (unit or "")


# ------------------------------------------------------------------ formatting
def format_value(value: float | None, percent: bool = False, *, spec: str = "g",
                 percent_spec: str = ".1f", sign: str = " %", missing: str = MISSING,
                 scaled: bool = False) -> str:
    """A measure's value as text — the one place values are written.

    `percent`: the value is a fraction shown ×100 with `percent_spec` and then `sign`
    (`scaled=True`: it is already ×100, as a plotted y is); otherwise it is written with
    `spec`.  `missing` stands for None.  The sign of a negative value is always kept and
    the digits read back (`core.csvdata.parse_number`) to the value within the precision
    asked for."""
    if value is None:
        return missing
    if percent:
        shown = value if scaled else value * 100
        return f"{shown:{percent_spec}}{sign}"
    return f"{value:{spec}}"


def axis_value(value: float, percent: bool, *, scaled: bool = False) -> str:
    """A chart's axis or target label (screen and paper): short, "62%" or "0.845"."""
    return format_value(value, percent, spec=".3g", percent_spec=".0f", sign="%",
                        scaled=scaled)


def rate_value(value: float | None, percent: bool, *, sign: str = "%",
               scaled: bool = False) -> str:
    """A funnel plot's rate or proportion: one decimal either way ("62.4%", "3.1")."""
    return format_value(value, percent, spec=".1f", sign=sign, scaled=scaled)
