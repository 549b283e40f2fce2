"""The literature review as coded data: references, coding scheme, coding, agreement, BibTeX.

The coding unit is a citation in a section (a source x section pair). Each unit has a
one-line summary written for this package (never the paper's sentences) and one or
more codes from ``data/literature/coding_scheme.csv``.

The check of the coding rules
-----------------------------
A second coding is made by a fixed, transparent rule set (:data:`SECTION_CODES` and
:data:`KEYWORDS`, written before it was compared with the first) and compared with the
package's reading. That measures how far the coding follows mechanical rules; it is
not a reliability estimate between people. A human second coder's file, when present
at ``data/literature/second_coder.csv`` (columns ``unit_id, code``), is compared the
same way.

Agreement statistics (two coders, one yes/no decision per unit and code)
------------------------------------------------------------------------
With ``a`` = both yes, ``d`` = both no, ``b``/``c`` the disagreements, ``n`` units:

* percent agreement ``Po = (a + d) / n``;
* Cohen's kappa ``(Po - Pe) / (1 - Pe)``, ``Pe = p1 q1 + p2 q2`` from each coder's margins
  (statsmodels ``cohens_kappa``);
* PABAK ``2 Po - 1`` (Byrt, Bishop and Carlin 1993);
* Gwet's AC1 ``(Po - Pe) / (1 - Pe)`` with ``Pe = 2 pi (1 - pi)``, ``pi`` the mean share of
  yes (Gwet 2008). With skewed codes kappa can be low despite high agreement; PABAK and
  AC1 show it.

Intervals are bootstrap percentiles over units (seeded).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from . import config

LITERATURE_DIR = config.LITERATURE_DIR

#: Rule set for the second coding, part 1: the section a unit stands in.
SECTION_CODES = {
    "introduction": ("AI_ADOPTION_FIRMS",),
    "1.1": ("COOP_DEF",),
    "1.2": ("MKT_STRATEGY",),
    "1.3": ("DIGITAL_MARKETING",),
    "1.4": ("DIGITAL_MARKETING",),
    "1.5": ("AI_DEFINITION",),
    "1.6": ("AI_DEFINITION",),
    "1.7": ("AI_MOROCCO",),
    "1.8": ("AI_MARKETING_LEVER",),
    "1.9": ("SSE_MARKETING",),
}

#: Rule set for the second coding, part 2: keywords in the unit's summary (lower case, substrings).
#: Each list is taken from the wording of the code's rule and definition in coding_scheme.csv,
#: not from the summaries, so that the comparison can disagree.
KEYWORDS = {
    "AI_INTEGRATION": ("ai tool", "integrat", "use ai", "using ai", "ai application"),
    "MARKETING_PERFORMANCE": ("result", "sales", "visibility", "customer relation", "campaign"),
    "ADOPTION_BARRIERS": ("barrier", "obstacle", "skills", "budget", "access"),
    "MODERATING_CONSTRAINTS": ("skills", "training", "culture", "resources"),
    "AI_MARKETING_LEVER": ("segment", "target", "personalis", "automat"),
    "AI_ADOPTION_FIRMS": ("firms", "companies"),
}

#: The conceptual model: each construct and hypothesis, and the codes it rests on.
MODEL = {
    "AI integration (explanatory)": ("AI_INTEGRATION",),
    "Marketing performance (outcome)": ("MARKETING_PERFORMANCE",),
    "Internal constraints (moderator)": ("MODERATING_CONSTRAINTS",),
    "H1: AI adoption improves marketing effectiveness": ("AI_INTEGRATION", "MARKETING_PERFORMANCE"),
    "H2: barriers are major obstacles to AI integration": ("ADOPTION_BARRIERS", "MODERATING_CONSTRAINTS"),
}


def read_references(path=None) -> pd.DataFrame:
    """Every source the paper cites, as cited; unknown fields say ``unknown``."""
    return pd.read_csv(config.resolve(path or LITERATURE_DIR / "references.csv"), dtype=str, keep_default_na=False)


def read_scheme(path=None) -> pd.DataFrame:
    """The coding scheme: code, kind (theme or construct), labels, definition, rule."""
    return pd.read_csv(config.resolve(path or LITERATURE_DIR / "coding_scheme.csv"), dtype=str, keep_default_na=False)


def read_coding(path=None, references=None, scheme=None) -> pd.DataFrame:
    """The package's coding, checked: codes exist in the scheme, sources in the references,
    one summary per unit.

    Raises
    ------
    ValueError
        naming the row of the coding file that breaks a rule.
    """
    path = config.resolve(path or LITERATURE_DIR / "coding.csv")
    coding = pd.read_csv(path, dtype=str, keep_default_na=False)
    references = read_references() if references is None else references
    scheme = read_scheme() if scheme is None else scheme
    for i, row in coding.iterrows():
        if row["code"] not in set(scheme["code"]):
            raise ValueError(f"{path.name}, row {i + 2}, column 'code': '{row['code']}' is not in the coding scheme")
        if row["ref_id"] not in set(references["ref_id"]):
            raise ValueError(f"{path.name}, row {i + 2}, column 'ref_id': '{row['ref_id']}' is not in the references")
    summaries = coding.groupby("unit_id")["summary"].nunique()
    if (summaries > 1).any():
        raise ValueError(f"{path.name}: units with more than one summary: {list(summaries[summaries > 1].index)}")
    return coding


def units(coding: pd.DataFrame) -> pd.DataFrame:
    """One row per coding unit: ``unit_id, ref_id, section, summary``."""
    return coding.drop_duplicates("unit_id")[["unit_id", "ref_id", "section", "summary"]].reset_index(drop=True)


def unit_code_matrix(coding: pd.DataFrame, codes, unit_ids) -> pd.DataFrame:
    """0/1 matrix, units x codes."""
    matrix = pd.crosstab(coding["unit_id"], coding["code"]).clip(upper=1)
    return matrix.reindex(index=list(unit_ids), columns=list(codes), fill_value=0)


def code_frequencies(coding: pd.DataFrame, scheme: pd.DataFrame) -> pd.DataFrame:
    """Per code: number of distinct sources coded with it and their share of all sources.

    Examples
    --------
    >>> c = pd.DataFrame({"unit_id": ["U1", "U2"], "ref_id": ["a", "b"], "code": ["X", "X"]})
    >>> s = pd.DataFrame({"code": ["X", "Y"], "kind": ["theme", "theme"]})
    >>> code_frequencies(c, s)[["code", "n_sources", "share"]].values.tolist()
    [['X', 2, 1.0], ['Y', 0, 0.0]]
    """
    n_sources = coding["ref_id"].nunique()
    counts = coding.groupby("code")["ref_id"].nunique()
    table = pd.DataFrame({"code": scheme["code"], "kind": scheme["kind"]})
    table["n_sources"] = table["code"].map(counts).fillna(0).astype(int)
    table["share"] = table["n_sources"] / n_sources
    return table


def cooccurrence(coding: pd.DataFrame, codes) -> pd.DataFrame:
    """Number of units coded with both codes (diagonal: units with the code)."""
    matrix = unit_code_matrix(coding, codes, units(coding)["unit_id"])
    return matrix.T @ matrix


def model_coverage(coding: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Which sources each construct and hypothesis of the conceptual model rests on.

    A hypothesis rests on a source coded with every code it needs; a construct on any
    source with its code. ``n_sources == 0`` marks a part of the model no source supports.
    """
    codes_by_unit = coding.groupby("unit_id")["code"].agg(set)
    ref_of_unit = coding.drop_duplicates("unit_id").set_index("unit_id")["ref_id"]
    cited = references.set_index("ref_id")["authors_as_cited"]
    rows = []
    for part, needed in MODEL.items():
        hits = sorted({ref_of_unit[u] for u, codes in codes_by_unit.items() if set(needed) <= codes})
        rows.append({"model_part": part, "codes": " + ".join(needed), "n_sources": len(hits),
                     "sources": "; ".join(f"{cited[r]}" for r in hits) or "none"})
    return pd.DataFrame(rows)


def rule_based_coding(unit_table: pd.DataFrame) -> pd.DataFrame:
    """The second coding by the fixed rule set: section codes plus keyword codes.

    Examples
    --------
    >>> u = pd.DataFrame({"unit_id": ["U1"], "section": ["1.1"], "summary": ["skills and budget"]})
    >>> sorted(rule_based_coding(u)["code"])
    ['ADOPTION_BARRIERS', 'COOP_DEF', 'MODERATING_CONSTRAINTS']
    """
    rows = []
    for unit in unit_table.itertuples(index=False):
        codes = set(SECTION_CODES.get(unit.section, ()))
        text = unit.summary.lower()
        codes |= {code for code, words in KEYWORDS.items() if any(w in text for w in words)}
        rows += [{"unit_id": unit.unit_id, "code": code} for code in sorted(codes)]
    return pd.DataFrame(rows, columns=["unit_id", "code"])


def agreement_statistics(first, second) -> dict:
    """Percent agreement, Cohen's kappa, PABAK and Gwet's AC1 for two 0/1 codings of the same units.

    Examples
    --------
    >>> r = agreement_statistics([1, 1, 0, 0], [1, 0, 0, 0])
    >>> r["agreement"], round(r["kappa"], 3), r["pabak"], round(r["ac1"], 3)
    (0.75, 0.5, 0.5, 0.529)
    """
    x, y = np.asarray(first, dtype=int), np.asarray(second, dtype=int)
    n = len(x)
    table = np.array([[np.sum((x == 1) & (y == 1)), np.sum((x == 1) & (y == 0))],
                      [np.sum((x == 0) & (y == 1)), np.sum((x == 0) & (y == 0))]])
    po = (table[0, 0] + table[1, 1]) / n
    pi = (x.mean() + y.mean()) / 2
    pe_gwet = 2 * pi * (1 - pi)
    pe_kappa = x.mean() * y.mean() + (1 - x.mean()) * (1 - y.mean())
    if pe_kappa >= 1.0:
        kappa = float("nan")  # both coders gave one and the same answer throughout: kappa is 0/0
    else:
        kappa = float(cohens_kappa(table, return_results=False))
    ac1 = (po - pe_gwet) / (1 - pe_gwet) if pe_gwet < 1 else 1.0
    return {"n_units": n, "agreement": float(po), "kappa": kappa, "pabak": float(2 * po - 1), "ac1": float(ac1)}


def _agreement_arrays(x: np.ndarray, y: np.ndarray) -> dict:
    """Agreement statistics for many resamples at once: ``x`` and ``y`` have shape (resamples, units)."""
    po = (x == y).mean(axis=1)
    px, py = x.mean(axis=1), y.mean(axis=1)
    pe_kappa = px * py + (1 - px) * (1 - py)
    pi = (px + py) / 2
    pe_ac1 = 2 * pi * (1 - pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(pe_kappa < 1, (po - pe_kappa) / (1 - pe_kappa), np.nan)
        ac1 = np.where(pe_ac1 < 1, (po - pe_ac1) / (1 - pe_ac1), 1.0)
    return {"kappa": kappa, "ac1": ac1}


def agreement_table(first: pd.DataFrame, second: pd.DataFrame, codes, unit_ids, seed: int = 0,
                    resamples: int = 2000, alpha: float = config.ALPHA) -> pd.DataFrame:
    """Agreement per code and overall (all unit x code decisions), with bootstrap intervals.

    Point values come from :func:`agreement_statistics` (kappa from statsmodels); the
    bootstrap uses the same formulas vectorized over resamples. ``ci_low, ci_high`` bound
    AC1; ``kappa_ci_low, kappa_ci_high`` bound kappa. Units are resampled with replacement;
    the overall row resamples units too, keeping their codes together.
    """
    a = unit_code_matrix(first, codes, unit_ids).to_numpy()
    b = unit_code_matrix(second, codes, unit_ids).to_numpy()
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(unit_ids), size=(resamples, len(unit_ids)))
    rows = []
    for j, code in enumerate(list(codes) + ["overall"]):
        if code == "overall":
            point = agreement_statistics(a.ravel(), b.ravel())
            boot = _agreement_arrays(a[draws].reshape(resamples, -1), b[draws].reshape(resamples, -1))
        else:
            point = agreement_statistics(a[:, j], b[:, j])
            boot = _agreement_arrays(a[draws, j], b[draws, j])
        kappa = boot["kappa"][~np.isnan(boot["kappa"])]
        rows.append({"code": code, **point,
                     "ci_low": float(np.quantile(boot["ac1"], alpha / 2)),
                     "ci_high": float(np.quantile(boot["ac1"], 1 - alpha / 2)),
                     "kappa_ci_low": float(np.quantile(kappa, alpha / 2)) if len(kappa) else float("nan"),
                     "kappa_ci_high": float(np.quantile(kappa, 1 - alpha / 2)) if len(kappa) else float("nan")})
    return pd.DataFrame(rows)


def read_second_coder(path=None) -> pd.DataFrame | None:
    """A human second coder's coding (``unit_id, code``), or None when the file is absent."""
    path = config.resolve(path or LITERATURE_DIR / "second_coder.csv")
    if not path.is_file():
        return None
    coding = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"unit_id", "code"} - set(coding.columns)
    if missing:
        raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
    return coding


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def to_bibtex(references: pd.DataFrame) -> str:
    """BibTeX entries carrying only what the citation gives (no guessed titles or venues).

    Examples
    --------
    >>> refs = pd.DataFrame([{"ref_id": "x2020", "authors_as_cited": "Doe, J.", "year": "2020",
    ...                       "sections": "1.1", "type": "unknown", "scope": "unknown", "note": ""}])
    >>> print(to_bibtex(refs).splitlines()[0])
    @misc{x2020,
    """
    entries = []
    for ref in references.itertuples(index=False):
        kind = {"report": "techreport", "law": "misc"}.get(ref.type, "misc")
        fields = [f"  author = {{{{{_bibtex_escape(ref.authors_as_cited)}}}}}"]
        if ref.year != "unknown":
            fields.append(f"  year = {{{ref.year}}}")
        if kind == "techreport":
            fields.append(f"  institution = {{{{{_bibtex_escape(ref.authors_as_cited)}}}}}")
        note = f"Cited in section(s) {ref.sections} of the paper; only the citation is known"
        if ref.scope != "unknown":
            note += f"; scope: {ref.scope}"
        fields.append(f"  note = {{{_bibtex_escape(note)}}}")
        entries.append(f"@{kind}{{{ref.ref_id},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(entries)


def bibtex_preview(bibtex: str, entries: int = 4, file_name: str = "references.bib") -> str:
    r"""The first ``entries`` entries of ``bibtex``, each whole, and a comment line saying how many
    more ``file_name`` holds: a notebook shows a sample without cutting an entry mid-word.

    Examples
    --------
    >>> bib = "@misc{a,\n  year = {2020}\n}\n\n@misc{b,\n  year = {2021}\n}\n"
    >>> print(bibtex_preview(bib, entries=1))
    @misc{a,
      year = {2020}
    }
    <BLANKLINE>
    % 1 more entries in references.bib
    """
    items = [item.strip() for item in re.split(r"\n(?=@)", bibtex.strip()) if item.strip()]
    text = "\n\n".join(items[:entries])
    if len(items) > entries:
        text += f"\n\n% {len(items) - entries} more entries in {file_name}"
    return text


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def longest_shared_run(text: str, other: str) -> int:
    """Length in words of the longest run of consecutive words ``text`` shares with ``other``.

    Used to check that the package's summaries are not copies of the paper's sentences.

    Examples
    --------
    >>> longest_shared_run("a b c d e", "x b c d y")
    3
    """
    a, b = _words(text), _words(other)
    best = 0
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best
