"""Number forms of coopai.style against independent computations: the decimal module's powers of ten
at 50 digits, and Python's own formatting of the floats the logarithms stand for."""
import decimal
import re
import math

import numpy as np
import pytest

from coopai import style

#: Logarithms of p-values and Bayes factors as the study meets them: ordinary ones, ones just below a
#: whole number (their mantissa rounds up to 10 and must carry), and ones far past the float range.
FRACTIONS = [0.0, 0.1, 0.30103, 0.5, 0.69897, 0.99, 0.9977, 0.9978, 0.9997, 0.9998, 0.9999, 1 - 1e-6, 1 - 1e-12]
WHOLE = [-3576, -851, -308, -37, -5, -1, 0, 1, 2, 3, 307, 3571]
GRID = sorted({w + f for w in WHOLE for f in FRACTIONS} | {w - f for w in WHOLE for f in (1e-4, 1e-6, 1e-12)}
              | set(np.random.default_rng(11).uniform(-4000, 4000, 400).round(6)))


def decimal_parts(log10_value: float, significant: int) -> tuple[float, int]:
    """10 ** log10_value at 50 digits by the decimal module, rounded by its own formatting."""
    with decimal.localcontext() as context:
        context.prec = 50
        power = decimal.Decimal(10) ** decimal.Decimal(log10_value)  # the float's exact binary value
        mantissa, exponent = f"{power:.{significant - 1}e}".split("e")
    return float(mantissa), int(exponent)


def test_the_grid_holds_logarithms_whose_mantissa_rounds_to_10():
    # The case the helper exists for: 10 to the fraction rounds to 10 at three digits (format_p printed "10e-851").
    near = [lg for lg in GRID if round(10 ** (lg - math.floor(lg)), 2) >= 10]
    assert len(near) >= 30 and -850.0001 in GRID


@pytest.mark.parametrize("significant", [1, 2, 3, 4])
def test_parts_from_a_logarithm_match_the_decimal_module(significant):
    wrong = [(lg, style.scientific_parts(0.0, significant, lg), decimal_parts(lg, significant)) for lg in GRID
             if style.scientific_parts(0.0, significant, lg) != decimal_parts(lg, significant)]
    assert not wrong, wrong[:5]
    for lg in GRID:
        mantissa, _ = style.scientific_parts(math.inf, significant, lg)
        assert 1 <= mantissa < 10


def test_parts_from_a_logarithm_match_the_float_it_stands_for():
    """Where 10 ** log is still a float, splitting the float (Python's formatting) and splitting the
    logarithm give the same parts: the logarithm path is used only where the float is lost."""
    inside = [lg for lg in GRID if -300 < lg < 300]
    assert len(inside) > 100
    for lg in inside:
        mantissa, exponent = f"{10 ** lg:.2e}".split("e")
        assert style.scientific_parts(0.0, 3, lg) == style.scientific_parts(10 ** lg, 3) == (float(mantissa), int(exponent)), lg


def test_parts_need_a_value_or_a_finite_logarithm():
    assert style.scientific_parts(0.0, 3, float("-inf")) == style.scientific_parts(0.0) == (0.0, 0)  # a true zero
    for lost, log10_value in ((float("inf"), None), (float("nan"), float("nan")), (float("inf"), float("inf"))):
        with pytest.raises(ValueError, match="no finite base-10 logarithm"):
            style.scientific_parts(lost, 3, log10_value)
    with pytest.raises(ValueError, match="at least 1"):
        style.scientific_parts(1.0, 0)


def test_significant_form_is_python_g_in_the_languages_typography():
    """Plain values print exactly as f"{x:.3g}" (so the published sentences keep their numbers); the
    others carry the same mantissa and exponent as %g, written ×10ⁿ; French swaps the decimal point."""
    values = np.concatenate([10.0 ** np.random.default_rng(5).uniform(-40, 40, 3000),
                             [1.0, 0.5, 0.0001, 0.00009999, 0.00521, 999.4, 999.6, 1e-4 * (1 - 1e-9), 12.0]])
    for value in values:
        g = f"{value:.3g}"
        text = style.format_significant(value, "en")
        if "e" in g:
            mantissa, exponent = g.split("e")
            assert text == f"{mantissa}×{style.power_of_ten(int(exponent))}", (value, g, text)
        else:
            assert text == g, (value, g, text)
        assert style.format_significant(value, "fr") == text.replace(".", ",")


def test_french_numbers_have_narrow_no_break_thousands_and_the_minus_sign():
    assert style.format_number(-1234567.25, "fr", 2) == "\u22121\u202f234\u202f567,25"
    assert style.format_number(-1234567.25, "en", 2) == "\u22121,234,567.25"
    assert " " not in style.format_number(100_000, "fr", 0) and "-" not in style.format_number(-3, "fr", 0)


def test_markdown_typesetting_changes_the_prose_only():
    """A French sentence with a code span holding a colon, a URL, a link, emphasis, a table and "50 %":
    no-break spaces in its prose, its Markdown syntax byte for byte as written."""
    sentence = ("Voir `verdicts.h1_verdict(x: bool)` et https://doi.org/10.1/a:b;c?d=0.5 : 50 % ; "
                "[l'article](https://example.org/p?q=1:2 \"titre : l'IA\") *n'est* **pas** un test ! "
                "&#39; &amp; $p < 0.05$\n\n| Part : | n |\n|:---|---:|\n| 50 % | 3 |\n\n```\nx = 'a' : 1.5\n```")
    # The fault the helper exists for: typeset alone changes the code span, the URL's ';', the entity,
    # the table's alignment row and the fenced code.
    plain = style.typeset(sentence, "fr")
    for literal in ("`verdicts.h1_verdict(x: bool)`", "a:b;c?d=0.5", "&#39;", "|:---|---:|", "x = 'a' : 1.5"):
        assert literal not in plain, literal
    out = style.typeset_markdown(sentence, "fr")
    literals = ["`verdicts.h1_verdict(x: bool)`", "https://doi.org/10.1/a:b;c?d=0.5",
                "](https://example.org/p?q=1:2 \"titre : l'IA\")", "&#39;", "&amp;", "$p < 0.05$", "|:---|---:|",
                "```\nx = 'a' : 1.5\n```"]
    for literal in literals:
        assert literal in out, literal
    prose = out
    for literal in literals:
        prose = prose.replace(literal, "")
    assert "0.5\u00a0: 50\u00a0%\u202f;" in out  # the colon after the URL is prose
    assert "[l’article]" in out and "*n’est* **pas** un test\u202f!" in out
    assert "| Part\u00a0: | n |" in out and "| 50\u00a0% | 3 |" in out
    # Outside the literal parts nothing is left of the plain spaces and straight apostrophes typeset replaces.
    assert not re.search(r" [:;!?%]|'|\d\.\d", prose), prose


def test_markdown_typesetting_keeps_english_syntax_and_any_private_character():
    assert style.typeset_markdown("the paper's `it's` -2 and **x**: y", "en") == "the paper’s `it's` −2 and **x**: y"
    # A private-use character already in the text (the helper's own placeholder) comes back unchanged.
    assert style.typeset_markdown("a \ue000 : `b:c` \ue000", "fr") == "a \ue000\u00a0: `b:c` \ue000"
    assert style.typeset_markdown("", "fr") == "" and style.typeset_markdown("``` : ", "fr") == "``` : "
