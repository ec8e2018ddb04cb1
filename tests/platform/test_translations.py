"""The Russian catalogue: complete, free of fuzzy entries, matching the sources, compiled into
the committed .mo, and actually served.

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

from django.conf import settings
from django.utils import translation

from tests.conftest import REPO, database_url, host_client

LOCALE_DIR = REPO / "locale" / "ru" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"
# The same ignores as the documented command:
#   manage.py makemessages -l ru --ignore=.venv --ignore=var --ignore=tests ...
MAKEMESSAGES_IGNORES = [".venv", "var", "tests", "benchmarks", "infra"]
COPY_IGNORES = shutil.ignore_patterns(
    ".venv", "var", ".git", "test-output", "node_modules", "__pycache__", "*.pyc",
    ".pytest_cache", ".ruff_cache",
)  # fmt: skip
GETTEXT_TOOLS = ["xgettext", "msgmerge", "msguniq", "msgattrib"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")

LANDING_TITLE_EN = "Run your school photo season in one place"
LANDING_TITLE_RU = "Весь школьный фотосезон в одном месте"


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


def test_the_catalogue_is_russian_and_credits_the_team():
    header, entries = catalogue(PO)

    assert header["Language"] == "ru"
    assert header["Language-Team"] == "Pictureday team"
    assert header["Last-Translator"] == "Pictureday team"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"].startswith("nplurals=4; ")
    assert "fuzzy" not in header["flags"]
    assert len(entries) >= 150


def test_every_message_is_translated_none_is_fuzzy_and_placeholders_are_kept():
    header, entries = catalogue(PO)
    nplurals = int(re.match(r"nplurals=(\d+);", header["Plural-Forms"]).group(1))

    empty = [
        entry["msgid"]
        for entry in entries
        if not all(entry["msgstr"])
        or len(entry["msgstr"]) != (nplurals if "msgid_plural" in entry else 1)
    ]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    placeholders_changed = [
        (entry["msgid"], form)
        for entry in entries
        for form in entry["msgstr"]
        if set(PLACEHOLDER.findall(form))
        != set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
    ]

    assert empty == []
    assert fuzzy == []
    assert placeholders_changed == []


def test_committed_catalogue_covers_every_message_in_the_sources(tmp_path):
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    assert missing_tools == [], (
        f"{', '.join(missing_tools)} not found: install GNU gettext "
        "(Debian/Ubuntu: apt-get install -y gettext; macOS: brew install gettext) "
        "to check the catalogue against the sources."
    )
    copy = tmp_path / "repo"
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
            "-l",
            "ru",
            *(f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES),
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    regenerated_po = copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    _, regenerated = catalogue(regenerated_po)
    header, committed = catalogue(PO)
    nplurals = int(re.match(r"nplurals=(\d+);", header["Plural-Forms"]).group(1))
    translated = {key(entry) for entry in committed if is_translated(entry, nplurals)}
    missing = [key(entry) for entry in regenerated if key(entry) not in translated]
    assert len(regenerated) > 0
    assert missing == [], (
        "Messages in the sources that locale/ru/LC_MESSAGES/django.po lacks or leaves "
        "untranslated; run makemessages -l ru (see this file), translate, compilemessages: "
        f"{missing}"
    )


def test_the_compiled_catalogue_serves_every_translation():
    assert MO.is_file(), "locale/ru/LC_MESSAGES/django.mo is missing: run compilemessages"
    _, entries = catalogue(PO)

    served, expected = {}, {}
    with translation.override("ru"):
        for entry in entries:
            context, msgid, plural = key(entry)
            if plural is None:
                served[key(entry)] = (
                    translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                )
                expected[key(entry)] = entry["msgstr"][0]
            else:
                # 1, 3 and 5 pick Russian's "one", "few" and "many" forms (0, 1 and 2).
                for number, form in ((1, 0), (3, 1), (5, 2)):
                    served[(*key(entry), number)] = (
                        translation.npgettext(context, msgid, plural, number)
                        if context
                        else translation.ngettext(msgid, plural, number)
                    )
                    expected[(*key(entry), number)] = entry["msgstr"][form]

    assert served == expected


def test_the_landing_page_title_has_its_russian_translation():
    _, entries = catalogue(PO)

    assert [entry["msgstr"] for entry in entries if entry["msgid"] == LANDING_TITLE_EN] == [
        [LANDING_TITLE_RU]
    ]


def test_the_landing_page_speaks_russian_unless_english_was_chosen(db):
    client = host_client("localhost")

    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")

    assert (russian.status_code, russian["Content-Language"]) == (200, "ru")
    assert '<html lang="ru">' in russian.content.decode()
    assert f"<h1>{LANDING_TITLE_RU}</h1>" in russian.content.decode()
    assert LANDING_TITLE_EN not in russian.content.decode()
    assert (english.status_code, english["Content-Language"]) == (200, "en")
    assert '<html lang="en">' in english.content.decode()
    assert f"<h1>{LANDING_TITLE_EN}</h1>" in english.content.decode()
    assert LANDING_TITLE_RU not in english.content.decode()
