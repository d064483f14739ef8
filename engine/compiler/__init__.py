"""The compiler: story files (YAML) -> a checked `engine.runtime.model.Story`.

    loader.py        the entry points: check_story(), load_story(); one pass over the files
    files.py         finding and reading the manifest, episode files and branch files
    declarations.py  cast, items, flags and counters
    nodes.py         nodes, choices, text pieces, turning points, endings
    effects.py       `do:` lists -> typed `engine.runtime.effects` operations
    language.py      condition text -> `engine.runtime.conditions.Condition`
    validate.py      whole-story checks: the graph, the canon section, unique ids
    traps.py         no loop a run cannot leave, an ending in reach of the start
    spec.py          THE description of the file format: keys, types, required fields;
                     it drives the key checks here, `schema.py` and the save checks
    schema.py        the JSON Schema, generated from `spec.py`
    yamlread.py      safe, bounded reading of a file's bytes and text
    yamlbuild.py     positioned trees (`ytree.py`) built from the parser's events, counted
    limits.py        every limit on what a story file or a condition may hold
    folders.py       what is at a path, and the YAML files of a folder, never raising
    yamlcache.py     a bounded cache of parsed trees, so start-up skips the parser

Reports every problem as a `Diagnostic` with file:line:col; never raises for an
author's mistake. Imports `engine.runtime` and the base modules only.
"""
