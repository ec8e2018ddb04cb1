"""The Russian and Ukrainian catalogues: complete, free of fuzzy entries, matching the sources,
compiled into the committed .mo, and actually served. A failure lists the msgids to translate.

The .mo is committed so a fresh machine runs without gettext; regenerating the catalogue
(``test_committed_catalogue_covers_every_message_in_the_sources``) does need gettext.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import REPO, database_url, host_client

LANGUAGES = ["ru", "uk"]  # every language besides English, the language of the sources
# The same ignores as the documented command:
#   manage.py makemessages -l ru -l uk --ignore=.venv --ignore=var --ignore=tests ...
MAKEMESSAGES_IGNORES = [".venv", "var", "tests", "benchmarks", "infra"]
COPY_IGNORES = shutil.ignore_patterns(
    ".venv", "var", ".git", "test-output", "node_modules", "__pycache__", "*.pyc",
    ".pytest_cache", ".ruff_cache",
)  # fmt: skip
GETTEXT_TOOLS = ["xgettext", "msgmerge", "msguniq", "msgattrib"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")

LANDING_TITLE_EN = "Run your school photo season in one place"
LANDING_TITLE = {
    "ru": "Весь школьный фотосезон в одном месте",
    "uk": "Увесь шкільний фотосезон в одному місці",
}
# Django's own catalogue's Plural-Forms, so Django's strings and ours pick the same form.
DJANGO_LOCALE = Path(django.__file__).parent / "conf" / "locale"
# (number, plural form it takes) in Russian and Ukrainian alike: one, few, many.
PLURAL_SAMPLES = ((1, 0), (3, 1), (5, 2), (11, 2), (21, 0), (22, 1))


def po_path(language: str) -> Path:
    return REPO / "locale" / language / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: ``msgid``, ``msgctxt``/``msgid_plural`` when present, ``msgstr`` as a
    list (one item, or one per plural form) and ``flags``. Obsolete (``#~``) entries are left
    out; the header is the entry whose msgid is empty."""
    entries, entry, field = [], {"flags": set()}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue  # translator and reference comments, obsolete entries
        elif line.startswith('"'):
            text = ast.literal_eval(line)  # PO strings are C-escaped, a subset of Python's
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
        else:
            keyword, _, value = line.partition(" ")
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural_form or keyword == "msgstr":
                field = int(plural_form.group(1)) if plural_form else 0
                entry.setdefault("msgstr", [])
                assert field == len(entry["msgstr"]), f"{path}: {line!r} out of order"
                entry["msgstr"].append(ast.literal_eval(value))
            else:
                field = keyword
                entry[field] = ast.literal_eval(value)
    return entries


def catalogue(path: Path) -> tuple[dict, list[dict]]:
    """(header fields, the other entries)."""
    entries = parse_po(path)
    headers = [entry for entry in entries if entry["msgid"] == "" and "msgctxt" not in entry]
    assert len(headers) == 1, f"{path} has {len(headers)} headers"
    fields = dict(
        line.split(": ", 1) for line in headers[0]["msgstr"][0].splitlines() if ": " in line
    )
    fields["flags"] = headers[0]["flags"]
    return fields, [entry for entry in entries if entry is not headers[0]]


def key(entry: dict) -> tuple:
    return entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")


def is_translated(entry: dict, nplurals: int) -> bool:
    forms = nplurals if "msgid_plural" in entry else 1
    return len(entry["msgstr"]) == forms and all(entry["msgstr"]) and "fuzzy" not in entry["flags"]


def nplurals(header: dict) -> int:
    return int(re.match(r"nplurals=(\d+);", header["Plural-Forms"]).group(1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_in_its_language_and_credits_the_team(language):
    header, entries = catalogue(po_path(language))
    django_header, _ = catalogue(DJANGO_LOCALE / language / "LC_MESSAGES" / "django.po")

    assert header["Language"] == language
    assert header["Language-Team"] == "Pictureday team"
    assert header["Last-Translator"] == "Pictureday team"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"].startswith("nplurals=4; ")
    assert header["Plural-Forms"].replace(" ", "") == django_header["Plural-Forms"].replace(" ", "")
    assert "fuzzy" not in header["flags"]
    assert len(entries) >= 150


def test_ukrainian_has_every_message_russian_has():
    """Helpers add strings with their Russian translation; this names the Ukrainian still owed."""
    _, russian = catalogue(po_path("ru"))
    _, ukrainian = catalogue(po_path("uk"))
    ukrainian_keys = {key(entry) for entry in ukrainian}

    missing = [entry["msgid"] for entry in russian if key(entry) not in ukrainian_keys]

    assert missing == [], (
        f"{len(missing)} msgids are in locale/ru but not in locale/uk/LC_MESSAGES/django.po; "
        "add them translated into Ukrainian:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_none_is_fuzzy_and_placeholders_are_kept(language):
    header, entries = catalogue(po_path(language))
    forms = nplurals(header)

    empty = [
        entry["msgid"]
        for entry in entries
        if not all(entry["msgstr"])
        or len(entry["msgstr"]) != (forms if "msgid_plural" in entry else 1)
    ]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    placeholders_changed = [
        (entry["msgid"], form)
        for entry in entries
        for form in entry["msgstr"]
        if set(PLACEHOLDER.findall(form))
        != set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
    ]

    assert empty == [], f"untranslated in {language}:\n" + "\n".join(empty)
    assert fuzzy == [], f"fuzzy in {language}:\n" + "\n".join(fuzzy)
    assert placeholders_changed == [], f"placeholders changed in {language}"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, list[dict]]:
    """makemessages run once on a copy of the sources, for every language: {language: entries}."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    assert missing_tools == [], (
        f"{', '.join(missing_tools)} not found: install GNU gettext "
        "(Debian/Ubuntu: apt-get install -y gettext; macOS: brew install gettext) "
        "to check the catalogue against the sources."
    )
    copy = tmp_path_factory.mktemp("makemessages") / "repo"
    shutil.copytree(REPO, copy, ignore=COPY_IGNORES)
    shutil.rmtree(copy / "locale", ignore_errors=True)  # regenerate from the sources alone
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings.test",
        # Set, so the settings start no embedded PostgreSQL / Redis of their own.
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONPATH": str(copy),
    }

    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *(f"-l{language}" for language in LANGUAGES),
            *(f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES),
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    return {
        language: catalogue(copy / "locale" / language / "LC_MESSAGES" / "django.po")[1]
        for language in LANGUAGES
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_covers_every_message_in_the_sources(regenerated, language):
    header, committed = catalogue(po_path(language))
    translated = {key(entry) for entry in committed if is_translated(entry, nplurals(header))}
    missing = [key(entry) for entry in regenerated[language] if key(entry) not in translated]

    assert len(regenerated[language]) > 0
    assert missing == [], (
        f"Messages in the sources that locale/{language}/LC_MESSAGES/django.po lacks or leaves "
        f"untranslated; run makemessages -l {language} (see this file), translate, "
        "compilemessages:\n" + "\n".join(repr(message) for message in missing)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_serves_every_translation(language):
    mo = po_path(language).with_suffix(".mo")
    assert mo.is_file(), f"{mo} is missing: run compilemessages"
    _, entries = catalogue(po_path(language))

    served, expected = {}, {}
    with translation.override(language):
        for entry in entries:
            context, msgid, plural = key(entry)
            if plural is None:
                served[key(entry)] = (
                    translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                )
                expected[key(entry)] = entry["msgstr"][0]
            else:
                for number, form in PLURAL_SAMPLES:
                    served[(*key(entry), number)] = (
                        translation.npgettext(context, msgid, plural, number)
                        if context
                        else translation.ngettext(msgid, plural, number)
                    )
                    expected[(*key(entry), number)] = entry["msgstr"][form]

    assert served == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_landing_page_title_has_its_translation(language):
    _, entries = catalogue(po_path(language))

    assert [entry["msgstr"] for entry in entries if entry["msgid"] == LANDING_TITLE_EN] == [
        [LANDING_TITLE[language]]
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_landing_page_speaks_the_browsers_language_unless_english_was_chosen(db, language):
    client = host_client("localhost")

    translated = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/", HTTP_ACCEPT_LANGUAGE=language)

    assert (translated.status_code, translated["Content-Language"]) == (200, language)
    assert f'<html lang="{language}">' in translated.content.decode()
    assert f"<h1>{LANDING_TITLE[language]}</h1>" in translated.content.decode()
    assert LANDING_TITLE_EN not in translated.content.decode()
    assert (english.status_code, english["Content-Language"]) == (200, "en")
    assert '<html lang="en">' in english.content.decode()
    assert f"<h1>{LANDING_TITLE_EN}</h1>" in english.content.decode()
    assert LANDING_TITLE[language] not in english.content.decode()


def test_the_pricing_page_speaks_ukrainian(db):
    page = host_client("localhost").get("/pricing/", HTTP_ACCEPT_LANGUAGE="uk")

    assert (page.status_code, page["Content-Language"]) == (200, "uk")
    assert "<h1>Тарифи</h1>" in page.content.decode()
    assert (
        "Кожна студія починає з 14-денного безкоштовного пробного періоду." in page.content.decode()
    )
