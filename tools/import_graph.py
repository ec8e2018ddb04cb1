"""Counts the import arrows between the project's packages (issue 9's before/after figures).

A package is a top-level app (`tenants`, `billing`, …) or one app under `studio/`.
An arrow points *up* when a package imports one above it in the layers (the studio apps'
from pyproject's import-linter contract). Run:
    python tools/import_graph.py [--list]
"""

import ast
import json
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = ["saas_platform", "tenants", "billing", "operator_console", "public_site", "studio"]


def _studio_ranks() -> dict[str, int]:
    """Studio apps, lowest first, read from pyproject's "Studio apps point one way" contract
    (so the two never drift); apps on one rank are siblings. Any arrow from a lower rank to a
    higher one points up."""
    with open(Path(__file__).resolve().parent.parent / "pyproject.toml", "rb") as handle:
        contracts = tomllib.load(handle)["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c.get("containers") == ["studio"]]
    return {
        app.strip().strip("()"): rank
        for rank, layer in enumerate(reversed(layers))
        for app in layer.split("|")
    }


STUDIO_RANKS = _studio_ranks()


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] not in TOP:
        return None
    if parts[0] == "studio" and len(parts) > 1:
        return f"studio.{parts[1]}"
    return parts[0]


def rank(package: str) -> tuple[int, int]:
    if package.startswith("studio."):
        app = package.split(".", 1)[1]
        return (4, STUDIO_RANKS.get(app, len(STUDIO_RANKS)))
    return {
        "saas_platform": (1, 0),
        "tenants": (2, 0),
        "billing": (3, 0),
        "operator_console": (3, 0),
        "public_site": (3, 0),
        "studio": (4, -1),
    }[package]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path):
    """Yields (imported module, inside a function?) for every import in the file."""
    tree = ast.parse(path.read_text(), str(path))
    this = module_name(path)
    is_pkg = path.name == "__init__.py"

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, in_function
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = this.split(".")
                    base = base[: len(base) - child.level + (1 if is_pkg else 0)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                names = [f"{target}.{a.name}" for a in child.names]
                yield (names[0] if child.module is None else target), in_function
            yield from visit(child, inside)

    yield from visit(tree, False)


def graph():
    arrows = defaultdict(list)  # (from, to) -> [(file, in_function)]
    for top in TOP:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = package_of(module_name(path))
            for target, in_function in imports_of(path):
                dest = package_of(target)
                if (
                    dest
                    and source
                    and dest != source
                    and not (dest == "studio" and source.startswith("studio."))
                ):
                    arrows[(source, dest)].append((str(path.relative_to(ROOT)), in_function))
    return arrows


def main():
    arrows = graph()
    up = sorted(pair for pair in arrows if rank(pair[1]) > rank(pair[0]))
    mutual = sorted({tuple(sorted(p)) for p in arrows if (p[1], p[0]) in arrows})
    in_function = [
        (a, b, f) for (a, b), uses in sorted(arrows.items()) for f, inside in uses if inside
    ]
    if "--list" in sys.argv:
        print("Arrows pointing up:")
        for a, b in up:
            print(f"  {a} -> {b}   ({', '.join(sorted({f for f, _ in arrows[(a, b)]}))})")
        print("Mutual pairs:")
        for a, b in mutual:
            print(f"  {a} <-> {b}")
        print("Imports inside functions:")
        for a, b, f in in_function:
            print(f"  {f}: {a} -> {b}")
    figures = {
        "arrows": len(arrows),
        "arrows_up": len(up),
        "mutual_pairs": len(mutual),
        "in_function_imports": len(in_function),
    }
    print(f"{'arrows between packages':<28}{figures['arrows']:>6}")
    print(f"{'  of them pointing up':<28}{figures['arrows_up']:>6}")
    print(f"{'mutual pairs':<28}{figures['mutual_pairs']:>6}")
    print(f"{'imports inside functions':<28}{figures['in_function_imports']:>6}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
