"""KoboToolbox exports of the package's questionnaire, written as the tool writes them, load to one survey.

The exports are written here from the rebuilt survey and the XLSForm, following KoboToolbox's
exporter (formpack: ``src/formpack/reporting/export.py`` ``Export.to_csv`` and
``get_header_rows_for_tag_cols``; ``src/formpack/schema/fields.py`` ``_get_label``,
``FormChoiceFieldWithMultipleSelect.get_labels/format``) with the options kpi's ``ExportTask``
passes (``lang`` ``_xml`` or a form language, ``hierarchy_in_labels``, ``group_sep``,
``multiple_select`` both/summary/details, ``tag_cols_for_header=['hxl']``, ``force_index``,
its copy fields) and the bytes kpi writes (UTF-8, each line followed by CRLF):

* every cell between double quotes, ``;`` between cells (formpack's default separator);
* header: question names, or labels in one language; with groups, the group names or labels
  and the question's joined by the group separator;
* an HXL row under the header when the form has an ``hxl`` column (the tag on the first column
  of each question, blank elsewhere);
* select-one answers as names, or labels in a label export; select-multiple as a summary column
  (names or labels joined by spaces) and/or one column per choice (header: the question's
  header, the group separator, the choice's name or label) holding 1/0, every cell blank when
  the question was not answered;
* notes as empty columns; ``__version__`` (kpi adds it to the deployed form), then the copy
  fields ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``,
  ``_status``, ``_submitted_by``, ``_tags`` and ``_index``.
"""
import itertools
import warnings

import pandas as pd
import pytest

from coopai import formats, instrument, stats
from coopai.survey import SurveyDataError, load_survey

COPY_FIELDS = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
               "_tags")
YES_NO = {"oui": "yes", "non": "no"}


def kobo_csv(frame, sheets, lang="xml", groups=True, sep="/", multiple="both", hxl=True, unanswered=()) -> bytes:
    """``frame`` (text answers, as a user's file holds them) as KoboToolbox exports it for the XLSForm ``sheets``.

    ``unanswered``: positions of rows whose select-multiple question was left unanswered.
    """
    label = instrument.column("label", lang) if lang != "xml" else "name"
    choices = sheets["choices"]
    stack, header, tags, columns = [], [], [], []
    for _, row in sheets["survey"].iterrows():
        kind = row["type"].split()
        if kind[0] == "begin_group":
            stack.append(row[label])
            continue
        if kind[0] == "end_group":
            stack.pop()
            continue
        title = sep.join([*stack, row[label]]) if groups else row[label]
        names = [title]
        if kind[0] == "note":
            values = [[""] * len(frame)]
        elif kind[0] == "text":
            values = [frame[row["name"]].astype(str).tolist()]
        elif kind[0] == "select_one":
            answers = frame[row["name"]].astype(str).replace(YES_NO)
            if lang != "xml":
                # formpack writes the name of a value that has no label (the rebuild's 'unclassified')
                answers = answers.map(choices[choices["list_name"] == kind[1]].set_index("name")[label]).fillna(answers)
            values = [answers.tolist()]
        else:  # select_multiple
            options = choices[choices["list_name"] == kind[1]]
            none = formats.NONE_CHOICE[row["name"]]
            ticked = [[o for o in options["name"] if o != none and frame.iloc[i][o] == "oui"] or [none]
                      for i in range(len(frame))]
            shown = dict(zip(options["name"], options[label] if lang != "xml" else options["name"]))
            summary = [" ".join(shown[o] for o in t) if i not in unanswered else "" for i, t in enumerate(ticked)]
            details = [[("1" if o in t else "0") if i not in unanswered else "" for i, t in enumerate(ticked)]
                       for o in options["name"]]
            detail_names = [f"{title}{sep}{shown[o]}" for o in options["name"]]
            names, values = {"both": ([title, *detail_names], [summary, *details]),
                             "summary": ([title], [summary]),
                             "details": (detail_names, details)}[multiple]
        header += names
        tags += [row["hxl"]] + [""] * (len(names) - 1)
        columns += values
    n = len(frame)
    extra = {"__version__": ["vq4ZBSTpgSmg4ZXKUrMQ3s"] * n, "_id": [str(1000 + i) for i in range(n)],
             "_uuid": [f"5b1a9c2e-0000-4000-8000-{i:012d}" for i in range(n)],
             "_submission_time": ["2025-05-02T10:00:00"] * n, "_validation_status": [""] * n, "_notes": [""] * n,
             "_status": ["submitted_via_web"] * n, "_submitted_by": [""] * n, "_tags": [""] * n,
             "_index": [str(i + 1) for i in range(n)]}
    header += list(extra)
    tags += [""] * len(extra)
    columns += list(extra.values())

    def line(cells):
        return '"' + '";"'.join(str(c).replace('"', '""') for c in cells) + '"'

    lines = [line(header)] + ([line(tags)] if hxl and any(tags) else [])
    lines += [line(cells) for cells in zip(*columns)]
    return "".join(f"{text}\r\n" for text in lines).encode("utf-8")


def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_survey(path)


@pytest.fixture(scope="module")
def sheets():
    return instrument.read_xlsform()


@pytest.fixture(scope="module")
def frame(rebuilt):
    """The rebuilt survey as answers (text), without the provenance column a Kobo export never has."""
    out = rebuilt[0].drop(columns=["record_origin"]).copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "oui", False: "non"})
    return out.astype(str)


@pytest.fixture(scope="module")
def reference(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "plain.csv"
    frame.to_csv(path, index=False)
    return load(path)


def results(survey):
    """The tables a run makes from a survey: Table 1 and the proportion summaries."""
    variables = [c for c in survey.columns if survey[c].dtype == bool]
    return stats.table1_marketing_practices(survey), stats.proportion_summary(survey, variables), \
        stats.sector_distribution(survey)


VARIANTS = list(itertools.product(("xml", "fr", "ar", "en"), (True, False), ("both", "summary", "details"),
                                  (True, False)))


@pytest.mark.parametrize("lang, groups, multiple, hxl", VARIANTS)
def test_every_kobo_export_variant_loads_to_the_same_survey_and_tables(frame, sheets, reference, tmp_path,
                                                                        lang, groups, multiple, hxl):
    blob = kobo_csv(frame, sheets, lang=lang, groups=groups, multiple=multiple, hxl=hxl)
    lines = blob.decode("utf-8").split("\r\n")
    assert lines[0].startswith('"') and '";"' in lines[0] and lines[-1] == ""
    assert lines[1].startswith('"";"#org+code";"#sector";') == hxl  # the note's column comes first
    path = tmp_path / "export.csv"
    path.write_bytes(blob)
    survey = load(path)
    pd.testing.assert_frame_equal(survey, reference)
    for mine, theirs in zip(results(survey), results(reference)):
        pd.testing.assert_frame_equal(mine, theirs)


@pytest.mark.parametrize("sep", ["-", ":", " > ", "."])
def test_any_group_separator(frame, sheets, reference, tmp_path, sep):
    for lang in ("xml", "ar"):
        (tmp_path / "export.csv").write_bytes(kobo_csv(frame, sheets, lang=lang, sep=sep))
        pd.testing.assert_frame_equal(load(tmp_path / "export.csv"), reference)


def test_headers_written_as_the_tool_writes_them(frame, sheets):
    """The headers take the forms formpack gives them (groups, labels holding the separator, the none choice)."""
    header = kobo_csv(frame, sheets, lang="fr").decode("utf-8").split("\r\n")[0].split('";"')
    assert "Identification/Secteur d'activité" in header
    assert ("Pratiques marketing/Pratiques marketing utilisées/Participation à des salons / expositions"
            in header)
    header = kobo_csv(frame, sheets, lang="xml", groups=False).decode("utf-8").split("\r\n")[0].split('";"')
    assert header[:4] == ['"rebuilt_notice', "cooperative_id", "sector", "marketing_practices"]
    assert "marketing_practices/no_practice" in header and header[-1] == '_index"'


def test_labels_in_values_become_names(frame, sheets, tmp_path):
    (tmp_path / "export.csv").write_bytes(kobo_csv(frame, sheets, lang="ar", multiple="summary"))
    raw = pd.read_csv(tmp_path / "export.csv", sep=";", dtype=str, keep_default_na=False)
    assert "الصناعة التقليدية" in set(raw["التعريف/قطاع النشاط"]) and "نعم" in set(raw.iloc[:, -12])
    survey = load(tmp_path / "export.csv")
    assert survey.groupby("sector", observed=True)["uses_social_media"].sum().tolist() == [4, 5, 4, 2]


def test_none_of_these_and_unanswered_select_multiple(frame, sheets, tmp_path):
    frame = frame.copy()
    practices = list(formats.SELECT_MULTIPLE["marketing_practices"])
    quiet = frame.index[(frame["digital_tool_status"] == "none")][0]
    frame.loc[quiet, practices] = "non"
    frame.to_csv(tmp_path / "plain.csv", index=False)
    expected = load(tmp_path / "plain.csv")
    for lang, multiple in itertools.product(("xml", "ar"), ("both", "summary", "details")):
        (tmp_path / "export.csv").write_bytes(kobo_csv(frame, sheets, lang=lang, multiple=multiple))
        survey = load(tmp_path / "export.csv")
        pd.testing.assert_frame_equal(survey, expected)
        assert not survey.loc[quiet, practices].any()
    # Unanswered: every cell blank in both layouts; the loader names the same row and column.
    errors = set()
    for multiple in ("both", "summary", "details"):
        (tmp_path / "export.csv").write_bytes(kobo_csv(frame, sheets, multiple=multiple, unanswered={6}))
        raw = pd.read_csv(tmp_path / "export.csv", sep=";", dtype=str, keep_default_na=False, skiprows=[1])
        assert (raw.filter(like="marketing_practices").iloc[6] == "").all()
        with pytest.raises(SurveyDataError) as info:
            load(tmp_path / "export.csv")
        errors.add((info.value.row, info.value.column, "missing value" in str(info.value)))
    assert errors == {(6 + 3, "direct_sales", True)}  # row 1 header, row 2 HXL, data from row 3


def test_row_numbers_count_the_hxl_row(frame, sheets, tmp_path):
    bad = frame.copy()
    bad.loc[4, "sector"] = "Pêche"
    for hxl, first_data_row in ((True, 3), (False, 2)):
        (tmp_path / "export.csv").write_bytes(kobo_csv(bad, sheets, hxl=hxl))
        with pytest.raises(SurveyDataError) as info:
            load(tmp_path / "export.csv")
        assert (info.value.row, info.value.column) == (4 + first_data_row, "sector")
        assert "unknown category 'Pêche'" in str(info.value)
    bad = frame.copy()
    row = bad.index[bad["digital_tool_status"] == "none"][0]
    bad.loc[row, "uses_social_media"] = "oui"
    bad.loc[row + 1, "cooperative_id"] = bad.loc[0, "cooperative_id"]
    for hxl, first_data_row in ((True, 3), (False, 2)):
        (tmp_path / "export.csv").write_bytes(kobo_csv(bad, sheets, hxl=hxl))
        with pytest.raises(SurveyDataError) as info:
            load(tmp_path / "export.csv")
        assert "appears more than once" in str(info.value) and info.value.row == row + 1 + first_data_row
        (tmp_path / "export.csv").write_bytes(kobo_csv(bad.drop(index=row + 1), sheets, hxl=hxl))
        with pytest.raises(SurveyDataError) as info:
            load(tmp_path / "export.csv")
        assert "H1" in str(info.value) and (info.value.row, info.value.column) == (row + first_data_row,
                                                                                  "uses_social_media")


def test_unreadable_select_multiple_answer_is_reported_with_its_row(frame, sheets, tmp_path):
    for lang, column in (("xml", "marketing/marketing_practices"),
                         ("fr", "Pratiques marketing/Pratiques marketing utilisées")):
        blob = kobo_csv(frame, sheets, lang=lang, multiple="summary", hxl=False).decode("utf-8").split("\r\n")
        cells = blob[5].split('";"')
        cells[3] = cells[3] + " tiktok"
        blob[5] = '";"'.join(cells)
        (tmp_path / "export.csv").write_bytes("\r\n".join(blob).encode("utf-8"))
        with pytest.raises(SurveyDataError) as info:
            load(tmp_path / "export.csv")
        assert (info.value.row, info.value.column) == (6, column) and "unknown choice 'tiktok'" in str(info.value)


def test_none_of_these_beside_a_practice_is_refused_in_every_layout(frame, sheets, tmp_path):
    """The form forbids it; an export edited by hand (or from another form) is refused, row and column named."""
    for lang, multiple in itertools.product(("xml", "en"), ("summary", "details")):
        text = kobo_csv(frame, sheets, lang=lang, multiple=multiple).decode("utf-8").split("\r\n")
        header = text[0].split('";"')
        cells = text[6].split('";"')
        if multiple == "summary":
            where = next(i for i, h in enumerate(header) if h.endswith(("marketing_practices", "Marketing practices used")))
            cells[where] = cells[where] + (" no_practice" if lang == "xml" else " None of these practices")
        else:
            where = next(i for i, h in enumerate(header) if h.endswith(("no_practice", "None of these practices")))
            cells[where] = "1"
        text[6] = '";"'.join(cells)
        (tmp_path / "export.csv").write_bytes("\r\n".join(text).encode("utf-8"))
        with pytest.raises(SurveyDataError) as info:
            load(tmp_path / "export.csv")
        assert "(none of these) ticked beside another choice" in str(info.value)
        assert (info.value.row, info.value.column) == (7, header[where].strip('"')), (lang, multiple)


def test_the_form_gives_each_header_and_label_one_meaning():
    form = formats.kobo_form()
    assert form.languages == ("fr", "ar", "en")
    assert form.match_header("الرقمنة/استعمال الأدوات الرقمية") == ("question", "digital_tool_status", "", "ar")
    assert form.match_header("Artificial intelligence-Has used an AI tool")[:2] == ("question", "used_ai_tool")
    assert form.match_header("direct_sales") is None  # a codebook name, not a form element: matched by name later
    assert form.match_header("_uuid") is None
    assert form.value_names["yes_no"] == {"yes": "yes", "Oui": "yes", "نعم": "yes", "Yes": "yes",
                                          "no": "no", "Non": "no", "لا": "no", "No": "no"}
    sheets = {name: frame.copy() for name, frame in instrument.read_xlsform().items()}
    sheets["choices"].loc[sheets["choices"]["name"] == "no", instrument.column("label", "en")] = "Yes"
    with pytest.raises(ValueError, match="choices 'yes' and 'no' of list 'yes_no' share the text 'Yes'"):
        formats.kobo_form_from_sheets(sheets)


def test_kobo_xlsx_export_loads_the_same(frame, sheets, reference, tmp_path):
    """KoboToolbox's XLS export holds the same cells (header, HXL row, text answers) in a workbook."""
    import csv
    import io

    import openpyxl

    text = kobo_csv(frame, sheets, lang="ar", multiple="both").decode("utf-8")
    book = openpyxl.Workbook()
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        book.active.append(cells)
    book.save(tmp_path / "export.xlsx")
    pd.testing.assert_frame_equal(load(tmp_path / "export.xlsx"), reference)


def test_without_the_questionnaire_file_plain_files_still_load(frame, reference, tmp_path, monkeypatch):
    """The form only adds what a Kobo export needs; a missing XLSForm must not stop a plain CSV."""
    monkeypatch.setattr(instrument, "INSTRUMENT", tmp_path / "absent.xlsx")
    assert formats.kobo_form().headers == ()
    frame.to_csv(tmp_path / "plain.csv", index=False)
    pd.testing.assert_frame_equal(load(tmp_path / "plain.csv"), reference)
