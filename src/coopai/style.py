"""The figures' and tables' style in one place: numbers and words by language, colours, resolution.

Every figure and table label goes through these helpers, so that French text follows
French typography (decimal comma, non-breaking space before ``%`` and ``:``, narrow one
before ``?``, ``!`` and ``;``, typographic apostrophe, minus sign) and English text the
English one, and so that the confidence level printed always follows the run's ``alpha``.

Colours come from the Okabe-Ito palette (Okabe and Ito 2008), chosen to stay distinct under
the common colour-vision deficiencies; every series that a colour tells apart also gets its
own line style or marker, so that colour never carries meaning alone (a greyscale print
still reads).

References
----------
Okabe, M. and Ito, K. (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
Imprimerie nationale (2002). Lexique des règles typographiques en usage à l'Imprimerie
nationale (espaces insécables before ``:`` and ``%``).
"""
from __future__ import annotations

import io
import math
import os
import re

from .codebook import check_lang

#: No-break space (before ``:`` and ``%`` in French, between thousands).
NBSP = "\u00a0"
#: Narrow no-break space (before ``?``, ``!``, ``;`` in French, and in French thousands).
NNBSP = "\u202f"
#: The minus sign (a hyphen is not a minus).
MINUS = "\u2212"
#: The typographic apostrophe.
APOSTROPHE = "\u2019"

#: The type a figure's twin in the other language is displayed under (:func:`coopai.figures.show`):
#: Jupyter renders nothing for it, the exporter (:mod:`coopai.export`) writes it to ``figures/<lang>/``.
TWIN_MIMETYPE = "application/vnd.coopai.figure-twin+json"

#: PNG resolution: journals ask 300 dpi for raster figures (the SVG is kept beside it).
DPI = 300

#: Okabe-Ito colours, by role.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
PALETTE = {"bar": OKABE_ITO["blue"], "edge": "#003f66", "second": OKABE_ITO["orange"],
           "interval": "#222222", "note": "#555555", "reference": OKABE_ITO["vermillion"],
           "neutral": "#666666", "light": "#bbbbbb"}
#: One colour, line style and marker per series, in order: each series differs in all three.
SERIES = ((OKABE_ITO["blue"], "-", "o"), (OKABE_ITO["orange"], "--", "s"), (OKABE_ITO["green"], "-.", "^"),
          (OKABE_ITO["purple"], ":", "D"), (OKABE_ITO["vermillion"], (0, (5, 1, 1, 1)), "v"))
#: Hatches for filled areas (bars) told apart by kind, beside their colour.
HATCHES = ("", "//", "..", "xx")
#: Diverging colour map for signed values (blue-white-red, legible in greyscale by lightness).
DIVERGING_CMAP = "RdBu_r"

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def format_number(value, lang: str, decimals: int | None = 1, thousands: bool = True) -> str:
    """A number as French or English print it: decimal comma and no-break thousands in French,
    the minus sign in both, and never a negative zero.

    Parameters
    ----------
    decimals : int or None
        Digits after the decimal point; ``None``: as few as print the value exactly (at most 6).

    Examples
    --------
    >>> format_number(3.14159, "fr", 2), format_number(-0.04, "en", 1), format_number(-3.1, "fr")
    ('3,14', '0.0', '−3,1')
    >>> format_number(1091, "fr", 0), format_number(1091, "en", 0), format_number(0.05, "fr", None)
    ('1\u202f091', '1,091', '0,05')
    """
    check_lang(lang)
    value = float(value)
    if math.isnan(value):
        return "–"
    if decimals is None:
        decimals = _shortest_decimals(value)
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    # A value that rounds to zero prints as zero, not "-0.0".
    if text.startswith("-") and not re.search(r"[1-9]", text):
        text = text[1:]
    text = text.replace("-", MINUS)
    if lang == "fr":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)
    return text


def format_percent(value, lang: str, decimals: int = 1) -> str:
    """A percentage (already in percent) as French or English print it.

    Examples
    --------
    >>> format_percent(56.666, "fr"), format_percent(56.666, "en")
    ('56,7\xa0%', '56.7%')
    """
    text = format_number(value, lang, decimals)
    return f"{text}{NBSP}%" if lang == "fr" else f"{text}%"


def format_power_of_ten(value: float) -> str:
    """``10⁻³`` for 0.001: the exponent in superscript digits with the minus sign.

    Examples
    --------
    >>> format_power_of_ten(1e-6), format_power_of_ten(1)
    ('10⁻⁶', '1')
    """
    return power_of_ten(int(round(math.log10(value))))


def power_of_ten(exponent: int) -> str:
    """``10⁻⁸⁵¹`` for ``exponent = -851``: for powers whose value leaves the float range.

    Examples
    --------
    >>> power_of_ten(-851), power_of_ten(0)
    ('10⁻⁸⁵¹', '1')
    """
    if exponent == 0:
        return "1"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def scientific_parts(value: float, significant: int = 3, log10_value: float | None = None) -> tuple[float, int]:
    """``(mantissa, exponent)`` with ``value`` = mantissa × 10^exponent, the mantissa rounded to
    ``significant`` digits and 1 ≤ |mantissa| < 10 (0 for a zero).

    A value the float range cannot hold (a p-value that underflowed to 0, a Bayes factor that
    overflowed to ``inf``) is taken from its base-10 logarithm ``log10_value``: the exponent is
    the logarithm's floor and the mantissa 10 to its fraction. That mantissa can round up to 10
    (10^0.9999 = 9.9977 is 10.0 at three digits): it then carries into the exponent, so that
    10^-850.0001 is 1.00×10⁻⁸⁵⁰, never "10×10⁻⁸⁵¹". A value the float holds is split by Python's
    own correctly rounded formatting (``f"{value:.2e}"``), which carries the same way.

    Examples
    --------
    >>> scientific_parts(3.8412e-37), scientific_parts(0.0, log10_value=-850.894), scientific_parts(0.0, log10_value=-850.0001)
    ((3.84, -37), (1.28, -851), (1.0, -850))
    >>> scientific_parts(float("inf"), 2, log10_value=3571.36), scientific_parts(-0.0099996), scientific_parts(0.0)
    ((2.3, 3571), (-1.0, -2), (0.0, 0))
    """
    if significant < 1:
        raise ValueError(f"significant must be at least 1, not {significant}")
    value = float(value)
    if math.isfinite(value) and not (value == 0 and log10_value is not None and math.isfinite(log10_value)):
        mantissa, exponent = f"{value:.{significant - 1}e}".split("e")
        return float(mantissa), int(exponent)
    if log10_value is None or not math.isfinite(log10_value):
        raise ValueError(f"{value} has no finite base-10 logarithm to print it from (log10_value={log10_value})")
    exponent = math.floor(log10_value)
    mantissa = round(10 ** (log10_value - exponent), significant - 1)
    if mantissa >= 10:  # 9.9977 rounded to 10.0: 1.00 times the next power of ten
        mantissa, exponent = mantissa / 10, exponent + 1
    return mantissa, exponent


def format_scientific(value: float, lang: str, significant: int = 3, log10_value: float | None = None,
                      zeros: bool = True) -> str:
    """``1,28×10⁻⁸⁵¹``: :func:`scientific_parts` in the language's typography (decimal comma, minus
    sign, superscript exponent), as tables print values past their plain precision. The
    mantissa keeps its trailing zeros unless ``zeros`` is False; a zero exponent prints no power.

    Examples
    --------
    >>> format_scientific(1.8e-08, "fr"), format_scientific(0.0, "en", log10_value=-850.0001, zeros=False)
    ('1,80×10⁻⁸', '1×10⁻⁸⁵⁰')
    >>> format_scientific(2.5, "en"), format_scientific(float("inf"), "en", 3, 3571.36)
    ('2.50', '2.29×10³⁵⁷¹')
    """
    mantissa, exponent = scientific_parts(value, significant, log10_value)
    text = format_number(mantissa, lang, significant - 1 if zeros else None)
    return f"{text}×{power_of_ten(exponent)}" if exponent else text


def format_significant(value: float, lang: str, significant: int = 3, log10_value: float | None = None) -> str:
    """A number with ``significant`` digits in a sentence, as ``%g`` chooses its form but in the
    language's typography: plain from 10⁻⁴ up to below 10^significant, else :func:`format_scientific`;
    no trailing zeros. ``log10_value`` gives a value past the float range (0 or ``inf``).

    Examples
    --------
    >>> format_significant(0.0428, "fr"), format_significant(1.0, "en"), format_significant(3.84e-37, "fr")
    ('0,0428', '1', '3,84×10⁻³⁷')
    >>> format_significant(4770.0, "en"), format_significant(0.0, "en", log10_value=-850.894)
    ('4.77×10³', '1.28×10⁻⁸⁵¹')
    """
    mantissa, exponent = scientific_parts(value, significant, log10_value)
    if -4 <= exponent < significant and math.isfinite(value) and value != 0:
        return format_number(round(value, significant - 1 - exponent), lang, None, thousands=False)
    return format_scientific(value, lang, significant, log10_value, zeros=False)


def confidence_level(alpha: float, lang: str) -> str:
    """The confidence level ``1 - alpha`` in percent, as text (``"95 %"``, ``"99%"``, ``"97,5 %"``).

    Examples
    --------
    >>> confidence_level(0.05, "fr"), confidence_level(0.01, "en"), confidence_level(0.025, "fr")
    ('95\xa0%', '99%', '97,5\xa0%')
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), not {alpha}")
    level = round(100 * (1 - alpha), 6)
    decimals = 0 if level == int(level) else len(f"{level:g}".split(".")[1])
    return format_percent(level, lang, decimals)


def interval_name(alpha: float, lang: str, method: str = "Wilson") -> str:
    """``"intervalle de Wilson à 95 %"`` / ``"95% Wilson interval"``, following ``alpha``.

    Examples
    --------
    >>> interval_name(0.01, "fr"), interval_name(0.01, "en", "Clopper-Pearson")
    ('intervalle de Wilson à 99\xa0%', '99% Clopper-Pearson interval')
    """
    level = confidence_level(alpha, lang)
    return f"intervalle de {method} à {level}" if lang == "fr" else f"{level} {method} interval"


def ci_abbreviation(alpha: float, lang: str) -> str:
    """``"IC à 95 %"`` / ``"95% CI"``, following ``alpha``.

    Examples
    --------
    >>> ci_abbreviation(0.01, "fr"), ci_abbreviation(0.05, "en")
    ('IC à 99\xa0%', '95% CI')
    """
    level = confidence_level(alpha, lang)
    return f"IC à {level}" if lang == "fr" else f"{level} CI"


def typeset(text: str, lang: str) -> str:
    """Typographic apostrophes, minus signs before digits, and (French) no-break spaces before ``: % ? ! ;``.

    Applied to every label a figure or a table shows, whatever wrote it (codebook, scheme, code).

    Examples
    --------
    >>> typeset("Accès de l'IA : 50 % ?", "fr") == "Accès de l’IA\xa0: 50\xa0%\u202f?"
    True
    >>> typeset("p < 0.05 (-2.1)", "fr") == "p < 0,05 (−2,1)"
    True
    >>> typeset("Part (%)", "fr")
    'Part (%)'

    >>> typeset("Has heard of AI (today's)", "en")
    'Has heard of AI (today’s)'
    """
    check_lang(lang)
    text = re.sub(r"(?<=\w)'(?=\w)", APOSTROPHE, text)
    # A hyphen directly before a digit and after no letter or digit is a minus sign.
    text = re.sub(r"(?<![\w.,])-(?=\d)", MINUS, text)
    if lang == "fr":
        text = re.sub(r"(?<=\d)\.(?=\d)", ",", text)
        text = re.sub(r"[ \u00a0\u202f]?([:%])", lambda m: NBSP + m.group(1), text)
        text = re.sub(r"[ \u00a0\u202f]?([?!;])", lambda m: NNBSP + m.group(1), text)
        text = text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»")
        text = text.replace("(" + NBSP + "%", "(%")  # a unit in parentheses: "(%)"
        # A colon of a URL or a time is not punctuation: undo the space there.
        text = re.sub(r"\u00a0:(?=//|\d)", ":", text)
        text = re.sub(r"^\u00a0([:%])", r"\1", text)
    return text


#: The parts of a Markdown text that are not prose, which :func:`typeset_markdown` leaves exactly as
#: written (a no-break space or a decimal comma there would change code, a link or the layout): fenced
#: code blocks, code spans, math, link and image targets, reference definitions, autolinks and HTML tags,
#: HTML entities, bare URLs, table delimiter rows (``|---|:--:|``), and the placeholder character itself.
MARKDOWN_LITERAL = re.compile(
    r"^ {0,3}(?P<fence>`{3,}|~{3,})[^\n]*(?:\n[\s\S]*?(?:^ {0,3}(?P=fence)[^\n]*$|\Z)|\Z)"  # fenced code
    # block (an unclosed one runs to the end, as CommonMark reads it)
    r"|(?P<ticks>`+)[\s\S]*?(?<!`)(?P=ticks)(?!`)"  # code span: closed by as many backticks as opened it
    r"|\$\$[\s\S]+?\$\$|\$[^$\n]+\$"  # math, which the notebook's renderer typesets itself
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # a link's or image's target (and title)
    r"|^ {0,3}\[[^\]\n]+\]:[^\n]*$"  # a reference definition: [label]: url "title"
    r"|<[A-Za-z/!][^<>\n]*>"  # autolink or HTML tag
    r"|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"  # HTML entity (its ';' is no punctuation)
    r"|\b(?:https?|ftp)://[^\s<>]*[^\s<>.,;:!?'\")\]]"  # bare URL, without the prose's punctuation after it
    r"|^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$"  # table delimiter row
    r"|\ue000",
    re.MULTILINE)
#: Stands for one literal part while the prose is typeset: a private-use character, no word character,
#: digit, space or punctuation, so that no rule of :func:`typeset` matches it or changes around it
#: what it would not change around a code span (`x`: reads as `x` followed by a colon).
_LITERAL_MARK = "\ue000"


def typeset_markdown(text: str, lang: str) -> str:
    """:func:`typeset` on the prose of a Markdown text, its code, links, math and table syntax left as written.

    The computed sentences of :mod:`coopai.narrative` are Markdown: French prose gets its no-break
    spaces like a figure's label, but a code span, a URL or a table's ``|:--|`` keep their colons.
    Emphasis markers (``*``, ``_``) are characters :func:`typeset` never changes.

    Examples
    --------
    >>> text = "Fichier `a:b.csv` (https://example.org/x?y=1;z=0.5) : 50 %, **non** ; p = 0.05 ?"
    >>> typeset_markdown(text, "fr") == ("Fichier `a:b.csv` (https://example.org/x?y=1;z=0.5)\xa0: 50\xa0%, "
    ...                                   "**non**\u202f; p = 0,05\u202f?")
    True
    >>> typeset_markdown("`p_exact`: non calculable", "fr") == "`p_exact`\xa0: non calculable"
    True
    >>> print(typeset_markdown("The paper's [note](https://x.org/a'b) `l'IA` -1", "en"))
    The paper’s [note](https://x.org/a'b) `l'IA` −1
    """
    literals = []

    def hold(match):
        literals.append(match.group(0))
        return _LITERAL_MARK

    prose = typeset(MARKDOWN_LITERAL.sub(hold, text), lang)
    pieces = prose.split(_LITERAL_MARK)
    if len(pieces) != len(literals) + 1:  # typeset changes characters in place and never drops the mark
        raise AssertionError("typeset_markdown lost a literal part of the text")
    return "".join(piece + literal for piece, literal in zip(pieces, literals + [""]))


#: Negative wording of the indicators hypothesis_checks negates (``lacks:VAR``): "Pas d’accès
#: Internet stable", never "Non : A accès…" (a double negative when the label is itself negative).
NEGATED = {
    "fr": {
        "heard_of_ai": "N’a pas entendu parler de l’IA (contexte professionnel)",
        "used_ai_tool": "N’a pas utilisé d’outil d’IA",
        "has_structured_it_equipment": "Pas d’équipement informatique structuré",
        "has_stable_internet": "Pas d’accès Internet stable",
        "uses_specific_digital_solutions": "Pas de solution numérique spécifique",
        "interested_in_ai": "Pas intéressée par l’IA",
    },
    "en": {
        "heard_of_ai": "Has not heard of AI (professional context)",
        "used_ai_tool": "Has not used an AI tool",
        "has_structured_it_equipment": "No structured IT equipment",
        "has_stable_internet": "No stable internet access",
        "uses_specific_digital_solutions": "No activity-specific digital solution",
        "interested_in_ai": "Not interested in AI",
    },
}
#: A negated variable without its own wording: the answer "no" to its question.
ANSWERED_NO = {"fr": "Réponse « non » : {label}", "en": "Answered “no”: {label}"}


def variable_text(variable: str, lang: str) -> str:
    """A variable as figures and tables name it, from the codebook in ``lang``, typeset.

    ``name``, ``name=category`` (a category of a categorical variable) or ``lacks:name`` (a
    negated yes/no indicator, :data:`NEGATED`). A name the codebook does not know is
    returned as it is.

    Examples
    --------
    >>> variable_text("lacks:heard_of_ai", "en"), variable_text("heard_of_ai", "fr")
    ('Has not heard of AI (professional context)', 'A entendu parler de l’IA (contexte professionnel)')
    >>> variable_text("digital_tool_status=none", "en"), variable_text("not_a_variable", "en")
    ('No digital practice', 'not_a_variable')
    """
    from .codebook import category_labels, read_codebook, variable_label

    check_lang(lang)
    if variable.startswith("lacks:"):
        name = variable[len("lacks:"):]
        if name in NEGATED[lang]:
            return typeset(NEGATED[lang][name], lang)
        return typeset(ANSWERED_NO[lang].format(label=variable_text(name, lang)), lang)
    if "=" in variable:
        label = category_labels(lang).get(tuple(variable.split("=", 1)))
        return typeset(label, lang) if label else variable
    codebook = read_codebook()
    if variable not in codebook.index:
        return variable
    return typeset(variable_label(codebook, variable, lang), lang)


def number_formatter(lang: str, decimals: int | None = None, percent: bool = False):
    """A matplotlib tick formatter writing numbers in ``lang`` (``decimals=None``: shortest form).

    Examples
    --------
    >>> number_formatter("fr", 1)(0.5, 0)
    '0,5'
    """
    from matplotlib.ticker import FuncFormatter

    def form(value, _position=None):
        text = format_number(value, lang, decimals if decimals is not None else _shortest_decimals(value))
        return text + ((NBSP + "%") if lang == "fr" else "%") if percent else text

    return FuncFormatter(form)


def _shortest_decimals(value: float) -> int:
    """Digits after the point that print ``value`` without loss (at most 6)."""
    for decimals in range(7):
        if abs(round(value, decimals) - value) < 1e-9 * max(1.0, abs(value)):
            return decimals
    return 6


def log_formatter(lang: str, plain_from: float = 1e-3, plain_to: float = math.inf):
    """Log-axis labels: decimals in ``lang`` from ``plain_from`` up to ``plain_to`` (0,01; 0,1; 1; 10),
    powers of ten outside (a Bayes factor of 10²⁰ is not printed with twenty digits).

    Examples
    --------
    >>> f = log_formatter("fr", plain_to=1e4)
    >>> f(0.01, 0), f(1e-6, 0), f(2.0, 0), f(1e20, 0)
    ('0,01', '10⁻⁶', '2', '10²⁰')
    """
    from matplotlib.ticker import FuncFormatter

    def form(value, _position=None):
        if value <= 0:
            return ""
        if value < plain_from or value > plain_to:
            return format_power_of_ten(value)
        return format_number(value, lang, _shortest_decimals(value))

    return FuncFormatter(form)


def tick_label_width(text: str, size: float) -> float:
    """Width in points of ``text`` in the house font at ``size`` points, measured on the font's glyphs.

    Examples
    --------
    >>> round(tick_label_width("100 000", 10) / tick_label_width("10", 10), 1)
    3.2
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _height, _descent = text_to_path.get_text_width_height_descent(
        text, FontProperties(size=size), ismath=False)
    return width


def fitting_integer_bins(length: float, widest: float, size: float, most: int = 10) -> int:
    """How many intervals of whole-number ticks an axis of ``length`` points holds when its widest
    label is ``widest`` points wide, with one em (``size``) between labels; at most ``most``.

    Examples
    --------
    >>> fitting_integer_bins(300, 14, 11)      # "30" on a figure's count axis: the usual ten
    10
    >>> fitting_integer_bins(300, 42, 11)      # "100 000": four intervals, five labels
    4
    """
    labels = int(length // (widest + size))
    return max(1, min(most, labels - 1))


def use_integer_ticks(axis) -> None:
    """Ticks at whole numbers only, for counts (no tick at 2.5 sources).

    On a horizontal axis there are as many as the labels' width allows (up to ten intervals):
    100,000 cooperatives print "100 000", which ten ticks across a figure would overlap.
    """
    from matplotlib.axis import XAxis
    from matplotlib.ticker import MaxNLocator

    if not isinstance(axis, XAxis):
        axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        return

    class FittingIntegerLocator(MaxNLocator):
        def __call__(self):
            import matplotlib
            from matplotlib.font_manager import FontProperties

            low, high = self.axis.get_view_interval()
            size = FontProperties(size=matplotlib.rcParams["xtick.labelsize"]).get_size_in_points()
            formatter = self.axis.get_major_formatter()
            widest = max(tick_label_width(formatter(value, 0), size) for value in (low, high))
            length = self.axis.axes.bbox.width * 72 / self.axis.figure.dpi
            self.set_params(nbins=fitting_integer_bins(length, widest, size))
            return super().__call__()

    axis.set_major_locator(FittingIntegerLocator(integer=True, steps=[1, 2, 5, 10]))


def use_log_ticks(axis, most_decades: float = 3.0) -> None:
    """Log-axis ticks at 1, 2 and 5 times each power of ten over up to ``most_decades`` decades,
    at powers of ten only beyond, where 1-2-5 labels ("50 000", "100 000") would run into each other."""
    from matplotlib.ticker import LogLocator

    class SpanLogLocator(LogLocator):
        def tick_values(self, vmin, vmax):
            decades = abs(math.log10(vmax) - math.log10(vmin)) if vmin > 0 and vmax > 0 else 0.0
            self.set_params(subs=(1.0, 2.0, 5.0) if decades <= most_decades else (1.0,))
            return super().tick_values(vmin, vmax)

    axis.set_major_locator(SpanLogLocator(subs=(1.0, 2.0, 5.0)))


def use_house_style() -> None:
    """Fix the style and make figure files byte-identical from run to run.

    SVG output carries random ids and a date unless ``svg.hashsalt`` and
    ``SOURCE_DATE_EPOCH`` are fixed (matplotlib documents both).
    """
    import matplotlib
    import seaborn as sns

    os.environ["SOURCE_DATE_EPOCH"] = "0"
    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update({
        "svg.hashsalt": "coopai",
        "svg.fonttype": "path",
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "font.family": "DejaVu Sans",
        "axes.unicode_minus": True,
        "axes.prop_cycle": matplotlib.cycler(color=[c for c, _, _ in SERIES]),
        "legend.frameon": True,
        "legend.framealpha": 0.95,
    })


def render(fig, formats=("image/png", "image/svg+xml")) -> dict:
    """The figure as the exported files hold it: 300 dpi PNG bytes and SVG text, both without a date.

    ``formats`` picks either or both (a test that compares what two figures draw can compare the
    SVG alone, which records every mark and text, and skip the costlier 300 dpi raster).

    Returns
    -------
    dict
        ``{"image/png": bytes, "image/svg+xml": str}``
    """
    files = {}
    # The whole canvas, not a "tight" box: the figures are laid out by constrained layout to fill
    # it, figure_checks checks that no text leaves it, and a tight box would draw everything twice.
    if "image/png" in formats:
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        files["image/png"] = png.getvalue()
    if "image/svg+xml" in formats:
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        files["image/svg+xml"] = svg.getvalue().decode("utf-8")
    return files


def png_dpi(blob: bytes) -> tuple[float, float] | None:
    """Resolution written in a PNG's pHYs chunk, in dots per inch, or None if it has none.

    Read from the chunk itself (PNG specification, section 11.3.5.3), not by an image library.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(1, 1))
    >>> [round(v) for v in png_dpi(render(fig)["image/png"])]
    [300, 300]
    """
    import struct

    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    position = 8
    while position < len(blob):
        length, kind = struct.unpack(">I4s", blob[position:position + 8])
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", blob[position + 8:position + 17])
            return (x * 0.0254, y * 0.0254) if unit == 1 else None
        if kind == b"IDAT":
            return None  # pHYs must come before the image data
        position += 12 + length
    return None
