"""The codebook: the study's variables, labels, fixed lists and logical constraints.

Everything here is read from ``data/`` (``codebook.csv``, ``category_labels.csv``,
``constraints.csv``); nothing writes there.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import config

#: Answers read as yes / no in boolean columns (compared case-insensitively).
TRUE_WORDS = frozenset({"1", "1.0", "true", "vrai", "yes", "y", "oui", "o"})
FALSE_WORDS = frozenset({"0", "0.0", "false", "faux", "no", "n", "non"})


#: The notice every table, figure and export of rebuilt data carries, in French and English.
REBUILT_NOTICE_FR = "Données reconstituées à partir des agrégats publiés (pas les réponses originales)"
REBUILT_NOTICE_EN = "Data rebuilt from the published aggregates (not the original answers)"


CODEBOOK_ROLES = ("id", "survey", "derived", "provenance", "identifier", "metadata")


@functools.lru_cache(maxsize=16)
def _read_codebook_cached(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("name")


def read_codebook(path=None) -> pd.DataFrame:
    """Read the codebook: one row per variable with role, type, labels and source.

    Examples
    --------
    >>> cb = read_codebook()
    >>> cb.loc["uses_social_media", ["role", "type", "label_en"]].tolist()
    ['survey', 'boolean', 'Uses social media']
    """
    path = config.resolve(path or config.CODEBOOK)
    codebook = _read_codebook_cached(path).copy()  # a copy: callers may change theirs
    bad = codebook.index[~codebook["role"].isin(CODEBOOK_ROLES)]
    if len(bad):
        raise ValueError(f"{path.name}: unknown role for {list(bad)}; roles are {CODEBOOK_ROLES}")
    return codebook


def allowed_values(codebook: pd.DataFrame, variable: str) -> list[str]:
    """Allowed values of a categorical variable, in the codebook's order.

    Examples
    --------
    >>> allowed_values(read_codebook(), "sector")
    ['Agriculture', 'Artisanat', 'Services', 'Autres']
    """
    text = codebook.loc[variable, "allowed_values"]
    return [v for v in text.split("|") if v]


def variable_label(codebook: pd.DataFrame, variable: str, lang: str = "fr") -> str:
    """The French (default) or English label of a variable.

    Examples
    --------
    >>> variable_label(read_codebook(), "has_stable_internet", "en")
    'Stable internet access'
    """
    check_lang(lang)
    return codebook.loc[variable, f"label_{lang}"]


#: How the codebook's ``published_in`` column names the paper's Table 1.
TABLE1 = "Tableau 1"


def table1_practices(codebook: pd.DataFrame) -> tuple[str, ...]:
    """The marketing practices of Table 1: the yes/no survey variables the codebook says Table 1
    publishes, in the codebook's order (the paper's row order).

    Examples
    --------
    >>> table1_practices(read_codebook())
    ('direct_sales', 'uses_social_media', 'sells_online_platform', 'attends_trade_fairs')
    """
    rows = (codebook["role"] == "survey") & (codebook["type"] == "boolean") \
        & codebook["published_in"].str.contains(TABLE1, regex=False)
    return tuple(codebook.index[rows])


#: Sector order as in the paper's Table 1 and Figure 2: the codebook's allowed values of ``sector``.
SECTORS = tuple(allowed_values(read_codebook(), "sector"))

#: The four marketing practices of Table 1, in the paper's row order (:func:`table1_practices`).
PRACTICES = table1_practices(read_codebook())


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is ``"fr"`` or ``"en"``, else raise ``ValueError``."""
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    return lang


def category_labels(lang: str = "fr", path=None) -> dict[tuple[str, str], str]:
    """Labels of categories, keyed by ``(variable, value)``.

    Examples
    --------
    >>> category_labels("en")[("sector", "Artisanat")]
    'Crafts'
    """
    check_lang(lang)
    table = pd.read_csv(config.resolve(path or config.CATEGORY_LABELS), dtype=str, keep_default_na=False)
    return {(v, k): label for v, k, label in zip(table["variable"], table["value"], table[f"label_{lang}"])}


def parse_boolean_word(text):
    """``True`` or ``False`` for a yes/no answer in :data:`TRUE_WORDS` / :data:`FALSE_WORDS`, else ``None``.

    Examples
    --------
    >>> parse_boolean_word(" Oui "), parse_boolean_word("non"), parse_boolean_word("peut-être")
    (True, False, None)
    """
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


@dataclass(frozen=True)
class Constraint:
    """``if_variable == if_value`` implies ``then_variable == then_value``.

    ``kind`` is ``"hard"`` (an impossible answer: an error) or ``"assumption"``
    (one of the rebuild's assumptions: a warning on real data).
    """

    constraint_id: str
    kind: str
    if_variable: str
    if_value: object
    then_variable: str
    then_value: object
    label_fr: str
    label_en: str

    def breaches(self, survey: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows that break the constraint."""
        return (survey[self.if_variable] == self.if_value) & (survey[self.then_variable] != self.then_value)


def _constraint_value(codebook, variable, text):
    if codebook.loc[variable, "type"] == "boolean":
        return parse_boolean_word(text)
    return text


def read_constraints(path=None, codebook=None) -> list[Constraint]:
    """Read the logical constraints between survey answers (data/constraints.csv).

    The file is parsed as structured implications; nothing in it is evaluated.

    Examples
    --------
    >>> [c.constraint_id for c in read_constraints() if c.kind == "hard"]
    ['H1', 'H2', 'H3', 'H4']
    """
    path = config.resolve(path or config.CONSTRAINTS)
    codebook = read_codebook() if codebook is None else codebook
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    constraints = []
    for i, row in table.iterrows():
        if row["class"] not in ("hard", "assumption"):
            raise ValueError(f"{path.name}, row {i + 2}: class must be hard or assumption")
        for var in (row["if_variable"], row["then_variable"]):
            if var not in codebook.index:
                raise ValueError(f"{path.name}, row {i + 2}: {var} is not in the codebook")
        constraints.append(Constraint(
            row["constraint_id"], row["class"],
            row["if_variable"], _constraint_value(codebook, row["if_variable"], row["if_value"]),
            row["then_variable"], _constraint_value(codebook, row["then_variable"], row["then_value"]),
            row["label_fr"], row["label_en"],
        ))
    return constraints


def constraint_breaches(survey: pd.DataFrame, constraints) -> pd.DataFrame:
    """Every row that breaks a constraint, one line per (constraint, row).

    Returns
    -------
    pandas.DataFrame
        Columns ``constraint_id, kind, row, cooperative_id, if_variable, then_variable``;
        ``row`` is the spreadsheet row (header = 1).

    Examples
    --------
    >>> survey = pd.DataFrame({"cooperative_id": ["a", "b"], "used_ai_tool": [True, True],
    ...                        "heard_of_ai": [True, False]})
    >>> c = Constraint("A4", "assumption", "used_ai_tool", True, "heard_of_ai", True, "", "")
    >>> constraint_breaches(survey, [c])[["constraint_id", "row", "cooperative_id"]].values.tolist()
    [['A4', 3, 'b']]
    """
    frames = []
    for c in constraints:
        mask = c.breaches(survey).to_numpy()
        if mask.any():
            positions = np.flatnonzero(mask)
            frames.append(pd.DataFrame({
                "constraint_id": c.constraint_id, "kind": c.kind, "row": positions + 2,
                "cooperative_id": survey["cooperative_id"].to_numpy()[positions],
                "if_variable": c.if_variable, "then_variable": c.then_variable,
            }))
    columns = ["constraint_id", "kind", "row", "cooperative_id", "if_variable", "then_variable"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
