"""Write form.xlsx: the XLSForm (KoboToolbox/ODK form definition) of the services survey.

The form behind ``submissions-kobo.csv`` (its current version): three groups
(``respondent``, ``location``, ``services``) whose questions give the export's full
column names (``respondent/gender``, ``location/county``, ...), the choice lists with the
XML values the export carries (``female``, county codes ``047``, ``id_card``,
``very_satisfied``, ...) and labels in English and Kiswahili. Written for cdinterop's
examples; ``cdinterop init`` reads it to draft a mapping spec::

    python examples/public-services-satisfaction/make_form.py

The workbook's content is deterministic (the same rows and cells on every run).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

EN = "label::English (en)"
SW = "label::Kiswahili (sw)"

SURVEY: list[tuple[str, str, str, str, str]] = [
    # type, name, English label, Kiswahili label, required
    ("start", "start", "", "", ""),
    ("end", "end", "", "", ""),
    ("today", "today", "", "", ""),
    ("deviceid", "deviceid", "", "", ""),
    ("begin_group", "respondent", "About you", "Kuhusu wewe", ""),
    (
        "select_one yes_no",
        "consent",
        "Do you agree to take part?",
        "Je, unakubali kushiriki?",
        "yes",
    ),
    ("select_one gender", "gender", "Gender", "Jinsia", "yes"),
    ("integer", "age", "Age in completed years", "Umri kwa miaka kamili", "yes"),
    (
        "select_one yes_no",
        "disability",
        "Do you have a disability?",
        "Je, una ulemavu?",
        "yes",
    ),
    ("end_group", "", "", "", ""),
    ("begin_group", "location", "Where", "Mahali", ""),
    ("select_one county", "county", "County", "Kaunti", "yes"),
    ("geopoint", "gps", "Location of the interview", "Mahali pa mahojiano", ""),
    ("end_group", "", "", "", ""),
    ("begin_group", "services", "Public services", "Huduma za umma", ""),
    (
        "select_one service",
        "service_used",
        "Which public service did you use?",
        "Ulitumia huduma gani ya umma?",
        "yes",
    ),
    (
        "select_one satisfaction",
        "satisfaction",
        "How satisfied were you with your last experience of this service?",
        "Uliridhika kiasi gani na huduma hii mara ya mwisho?",
        "yes",
    ),
    (
        "select_multiple issue",
        "issues",
        "Which problems did you meet?",
        "Ulikumbana na matatizo gani?",
        "",
    ),
    ("text", "comment", "Anything else to tell us?", "Kuna jambo lingine?", ""),
    ("end_group", "", "", "", ""),
]

CHOICES: list[tuple[str, str, str, str]] = [
    # list_name, name, English label, Kiswahili label
    ("yes_no", "yes", "Yes", "Ndiyo"),
    ("yes_no", "no", "No", "Hapana"),
    ("gender", "female", "Female", "Mwanamke"),
    ("gender", "male", "Male", "Mwanamume"),
    ("county", "047", "Nairobi City", "Jiji la Nairobi"),
    ("county", "042", "Kisumu", "Kisumu"),
    ("county", "001", "Mombasa", "Mombasa"),
    ("county", "023", "Turkana", "Turkana"),
    ("service", "health", "Public health care", "Huduma za afya za umma"),
    ("service", "education", "Public school", "Shule ya umma"),
    ("service", "id_card", "National ID card", "Kitambulisho cha taifa"),
    ("satisfaction", "very_satisfied", "Very satisfied", "Nimeridhika sana"),
    ("satisfaction", "satisfied", "Satisfied", "Nimeridhika"),
    ("satisfaction", "dissatisfied", "Dissatisfied", "Sijaridhika"),
    ("satisfaction", "very_dissatisfied", "Very dissatisfied", "Sijaridhika kabisa"),
    ("issue", "long_wait", "Long wait", "Kusubiri muda mrefu"),
    ("issue", "bribe_requested", "Asked for a bribe", "Niliombwa hongo"),
    ("issue", "staff_rude", "Rude staff", "Wafanyakazi wakorofi"),
    ("issue", "too_far", "Office too far", "Ofisi iko mbali sana"),
    ("issue", "documents_missing", "Documents missing", "Nyaraka hazikuwepo"),
]

SETTINGS = {
    "form_title": "Sauti ya Wananchi: public services",
    "form_id": "sauti_services",
    "version": "vQ3xF9mYk4Lp8RzT2wHn5c",
    "default_language": "English (en)",
}


def build(path: Path) -> Path:
    """Write the XLSForm workbook to ``path`` and return it."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", EN, SW, "required"])
    for row in SURVEY:
        survey.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", EN, SW])
    for choice in CHOICES:
        choices.append(list(choice))
    settings = book.create_sheet("settings")
    settings.append(list(SETTINGS))
    settings.append(list(SETTINGS.values()))
    # fixed document properties, so that the file does not change between runs
    book.properties.creator = "cdinterop examples"
    book.properties.created = book.properties.modified = _FIXED_TIME
    book.save(path)
    return path


def _fixed_time() -> object:
    from datetime import datetime

    return datetime(2024, 5, 20, 9, 0, 0)


_FIXED_TIME = _fixed_time()

if __name__ == "__main__":
    print(build(Path(__file__).with_name("form.xlsx")))
