"""Restoring one studio's schema from a full-database ``pg_dump -Fc`` file, leaving every
other schema alone.

``pg_restore -n <schema>`` turns the dump's objects of that schema (tables, rows, indexes,
constraints, sequences, the schema's own functions and triggers) into a SQL script; ``psql``
runs it in ONE transaction together with the swap: the live schema is renamed aside, a fresh
one is filled from the dump, and the renamed one is dropped. Any error rolls the whole thing
back, so the studio has either its old data or the dump's, never half of each. Only objects
in that schema are named; the other studios' schemas and the public schema are not read or
written (``pg_restore -n`` selects nothing else)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection

from .models import Studio

ASIDE_SUFFIX = "__before_restore"
CHUNK = 1024 * 1024


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tool(name: str) -> str:
    """The client tool's full path (PostgreSQL's client package: pg_restore, psql)."""
    path = shutil.which(name)
    if path is None:
        raise ValidationError(f"{name} is not installed (PostgreSQL client tools)")
    return path


def libpq_env() -> dict[str, str]:
    """The Django database's connection settings as libpq variables for the client tools."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def dump_schemas(dump: Path) -> set[str]:
    """The schemas a custom-format dump holds (its ``SCHEMA`` entries)."""
    listing = subprocess.run(  # noqa: S603 - fixed program, arguments not from a shell
        [_tool("pg_restore"), "--list", str(dump)], check=True, capture_output=True, text=True
    ).stdout
    return set(re.findall(r"^\d+; \d+ \d+ SCHEMA - (\S+) ", listing, flags=re.MULTILINE))


def studio_schema_restore(*, dump: Path, schema_name: str) -> None:
    """Replaces ``schema_name`` (a studio's) with its contents in ``dump``."""
    if not Studio.objects.filter(schema_name=schema_name).exclude(schema_name="public").exists():
        raise ValidationError(f"no studio has the schema {schema_name!r}")
    if schema_name not in dump_schemas(dump):
        raise ValidationError(f"the dump has no schema {schema_name!r}")
    aside = (schema_name + ASIDE_SUFFIX)[:63]
    s, a = _ident(schema_name), _ident(aside)
    prologue = (
        "SET client_min_messages = warning;\n"
        f"DROP SCHEMA IF EXISTS {a} CASCADE;\n"
        f"ALTER SCHEMA {s} RENAME TO {a};\n"
        f"CREATE SCHEMA {s};\n"
    ).encode()
    epilogue = f"\nDROP SCHEMA {a} CASCADE;\n".encode()
    # pg_restore's script is piped into psql as it is made: a large studio's rows are never
    # held in memory here.
    with (
        subprocess.Popen(  # noqa: S603 - fixed programs, arguments not from a shell
            [_tool("pg_restore"), "--no-owner", "--schema", schema_name, "--file", "-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as source,
        subprocess.Popen(  # noqa: S603
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=libpq_env(),
        ) as sink,
    ):
        try:
            sink.stdin.write(prologue)
            while chunk := source.stdout.read(CHUNK):
                sink.stdin.write(chunk)
            if source.wait() == 0:  # a broken dump must not reach COMMIT
                sink.stdin.write(epilogue)
            else:
                sink.stdin.write(b"\nSELECT 1/0; -- pg_restore failed\n")
            sink.stdin.close()
        except BrokenPipeError:  # psql stopped at an error; its message says which
            pass
        errors = sink.stderr.read().decode(errors="replace")
        restore_errors = source.stderr.read().decode(errors="replace")
        if source.wait() != 0 or sink.wait() != 0:
            raise ValidationError(
                f"restore of {schema_name} failed, nothing changed: "
                + (restore_errors + errors)[-500:]
            )
