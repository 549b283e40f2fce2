"""Checks a figure editor makes, run by code on a matplotlib Figure: what the tests apply to every figure.

* :func:`text_problems`: no two pieces of text overlap, none leaves the canvas, none is
  slanted (a slanted label's box cannot be checked, and journals prefer level labels);
* :func:`typography_problems`: French text uses the French decimal comma, no-break spaces
  before ``:`` and ``%``, typographic apostrophes; no text in either language uses a hyphen
  as a minus sign;
* :func:`reference_line_problems`: every reference line (``axhline``/``axvline``) has a legend
  entry or an annotation (a text with the line's ``gid``);
* :func:`scale_problems`: every labelled axis shows at least two tick labels.

The boxes are those matplotlib's renderer gives (``Text.get_window_extent``) once the figure is
drawn, in pixels of the figure's canvas.
"""
from __future__ import annotations

import re

from matplotlib.text import Text

#: Overlap smaller than this (pixels at the figure's dpi) is two boxes touching, not overlapping.
TOLERANCE_PX = 0.5

FRENCH_RULES = (
    (re.compile(r"\d\.\d"), "decimal point instead of a decimal comma"),
    (re.compile(r"'"), "straight apostrophe"),
    (re.compile(r"[^\u00a0$]:(?!//)"), "colon without a no-break space before it"),
    (re.compile(r"[^\u00a0\u202f(]%"), "percent sign without a no-break space before it"),
    (re.compile(r"(?<![\u00a0\u202f])[?!;]"), "'?', '!' or ';' without a narrow no-break space"),
)
BOTH_RULES = (
    (re.compile(r"(?<![\w.,\-])-\d"), "hyphen used as a minus sign"),
    (re.compile(r"\.\.\.|…"), "text cut with an ellipsis"),
)


def visible_texts(fig, renderer=None) -> list:
    """Every piece of text the figure draws, with its box on the canvas: ``[(Text, Bbox), ...]``.

    Tick labels outside an axis' view limits are not drawn and are left out.
    """
    if renderer is None:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
    skipped = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = (high - low) or 1.0
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 * span <= tick.get_loc() <= high + 1e-9 * span:
                    skipped.update({id(tick.label1), id(tick.label2)})
    found = []
    for text in fig.findobj(Text):
        if id(text) in skipped or not text.get_visible() or not text.get_text().strip():
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        found.append((text, text.get_window_extent(renderer)))
    return found


def _describe(text) -> str:
    return repr(text.get_text()[:60])


def text_problems(fig, boxes=None) -> list[str]:
    """Overlapping text, text past the canvas, slanted text; an empty list when there is none.

    ``boxes`` is :func:`visible_texts` of the drawn figure when the caller has it (one draw
    serves every check); without it the figure is drawn here.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> ax.set_axis_off()
    >>> _ = ax.text(0.1, 0.5, "one"), ax.text(0.1, 0.5, "two"), fig.text(0.9, 0.5, "far too long a note")
    >>> for problem in text_problems(fig): print(problem)
    'far too long a note' leaves the canvas
    'one' overlaps 'two'
    """
    boxes = visible_texts(fig) if boxes is None else boxes
    canvas = fig.bbox
    problems = []
    for text, box in boxes:
        if text.get_rotation() % 90:
            problems.append(f"{_describe(text)} is slanted ({text.get_rotation():g}°)")
        if (box.x0 < canvas.x0 - TOLERANCE_PX or box.y0 < canvas.y0 - TOLERANCE_PX
                or box.x1 > canvas.x1 + TOLERANCE_PX or box.y1 > canvas.y1 + TOLERANCE_PX):
            problems.append(f"{_describe(text)} leaves the canvas")
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > TOLERANCE_PX and height > TOLERANCE_PX:
                problems.append(f"{_describe(a)} overlaps {_describe(b)}")
    return problems


def typography_problems(fig, lang: str, boxes=None) -> list[str]:
    """Text that breaks the typography of ``lang`` (see the module docstring); ``boxes`` as in
    :func:`text_problems`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("Seuil : 0.5"), ax.set_xlabel("Écart -2"), ax.set_xticks([]), ax.set_yticks([])
    >>> for problem in typography_problems(fig, "fr"): print(problem)
    'Écart -2': hyphen used as a minus sign
    'Seuil : 0.5': decimal point instead of a decimal comma
    'Seuil : 0.5': colon without a no-break space before it
    """
    rules = BOTH_RULES + (FRENCH_RULES if lang == "fr" else ())
    problems = []
    for text, _box in visible_texts(fig) if boxes is None else boxes:
        content = text.get_text()
        plain = re.sub(r"\$[^$]*\$", "", content)  # mathtext is typeset by matplotlib itself
        for pattern, message in rules:
            if pattern.search(plain):
                problems.append(f"{_describe(text)}: {message}")
    return list(dict.fromkeys(problems))


def reference_lines(ax) -> list:
    """The axes' reference lines: lines drawn across the axes at one x or one y (``axhline``/``axvline``).

    Such a line's transform mixes the axes' coordinates (along the line) with the data's
    (across it), which is how it is told from a data series.
    """
    lines = []
    for line in ax.get_lines():
        in_data_x, in_data_y = line.get_transform().contains_branch_seperately(ax.transData)
        if in_data_x != in_data_y:
            lines.append(line)
    return lines


def reference_line_problems(fig, boxes=None) -> list[str]:
    """Reference lines with neither a legend entry nor an annotation; ``boxes`` as in :func:`text_problems`.

    A line counts as annotated when a visible text of the figure has the same ``gid``
    (:func:`coopai.figures.reference_line` draws both), and as in the legend when its
    label is one of the texts of a legend of its axes or of the figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.axhline(0.05), ax.axvline(3, label="n = 3"), ax.legend()
    >>> reference_line_problems(fig)
    ['axes 0: reference line at y = 0.05 has no legend entry or annotation']
    """
    boxes = visible_texts(fig) if boxes is None else boxes
    gids = {text.get_gid() for text, _box in boxes if text.get_gid()}
    legend_texts = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    problems = []
    for index, ax in enumerate(fig.axes):
        labels = set(legend_texts)
        if ax.get_legend() is not None:
            labels |= {t.get_text() for t in ax.get_legend().get_texts()}
        for line in reference_lines(ax):
            if line.get_label() in labels or (line.get_gid() and line.get_gid() in gids):
                continue
            in_data_x, _ = line.get_transform().contains_branch_seperately(ax.transData)
            where = f"x = {line.get_xdata()[0]:g}" if in_data_x else f"y = {line.get_ydata()[0]:g}"
            problems.append(f"axes {index}: reference line at {where} has no legend entry or annotation")
    return problems


def scale_problems(fig, boxes=None) -> list[str]:
    """A labelled axis that shows fewer than two tick labels: its values cannot be read off.

    (A log axis over thousands of decades, or one whose data leave the float range, can end up with
    none.) ``boxes`` as in :func:`text_problems`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_ylabel("p"), ax.set_yticks([0.5]), ax.set_xticks([])
    >>> scale_problems(fig)
    ["axes 0: the axis 'p' shows fewer than two tick labels"]
    """
    boxes = visible_texts(fig) if boxes is None else boxes
    shown = {id(text) for text, _box in boxes}
    problems = []
    for index, ax in enumerate(fig.axes):
        for axis in (ax.xaxis, ax.yaxis):
            label = axis.get_label_text().strip()
            if not label or not axis.get_visible():
                continue
            ticks = [t for t in axis.get_ticklabels() if id(t) in shown and t.get_text().strip()]
            if len(ticks) < 2:
                problems.append(f"axes {index}: the axis {label[:60]!r} shows fewer than two tick labels")
    return problems


def all_problems(fig, lang: str) -> list[str]:
    """Every problem the four checks find, on one drawing of the figure."""
    boxes = visible_texts(fig)
    return (text_problems(fig, boxes) + typography_problems(fig, lang, boxes) + reference_line_problems(fig, boxes)
            + scale_problems(fig, boxes))
