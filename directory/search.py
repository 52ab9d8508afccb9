"""Japanese-aware free-text search over Resource.search_text.

Query and text are normalised alike: NFKC (full-width Ｂ → b, half-width ｶﾅ → カナ), hiragana → katakana,
lower case. The text of a resource carries the names and aliases of its categories (GH, B型, 放デイ …, see
directory/taxonomy.py), so a professional's abbreviation finds what it means without a query-side
table.

Engines: on SQLite an FTS5 table with the trigram tokenizer answers terms of 3+ characters directly. A
2-character term cannot be a trigram, but every occurrence of it begins one: search_text ends each line with
a newline, so "gh" is always followed by some character. The FTS vocabulary (an fts5vocab table) lists the
trigrams that begin with the term, and the term matches where any of them does. 1-character terms use a
plain `contains` on the main table. On PostgreSQL terms of 3+ characters are a `contains` (LIKE) served by
the pg_trgm GIN index on search_text; pg_trgm finds no trigram in a 2-character pattern and would read the
whole index, so those are looked up in a GIN index of each text's character pairs (`resource_bigrams`).
"""

import functools
import operator
import unicodedata

import jaconv
from django.db import connection
from django.db.models import Func, Q, TextField, Value
from django.db.models.expressions import RawSQL

from directory.taxonomy import SYNONYMS

FTS_TABLE = "directory_resource_fts"
FTS_VOCABULARY = "directory_resource_fts_vocab"
TRIGRAM = 3
LAST_CHARACTER = "\U0010ffff"


def normalize(text: str) -> str:
    """NFKC, hiragana → katakana, lower case, one space between words."""
    text = unicodedata.normalize("NFKC", text or "")
    text = jaconv.hira2kata(text).lower()
    return " ".join(text.split())


def query_terms(query: str) -> list[str]:
    return normalize(query).split()


@functools.cache
def _synonym_groups() -> dict[str, tuple[str, ...]]:
    groups = {}
    for group in SYNONYMS:
        words = tuple(dict.fromkeys(normalize(word) for word in group))
        for word in words:
            groups[word] = words
    return groups


def term_alternatives(term: str) -> tuple[str, ...]:
    """The words a normalised query term stands for: its synonym group (taxonomy.SYNONYMS), else itself."""
    return _synonym_groups().get(term, (term,))


def resource_search_text(resource) -> str:
    """Everything a person may type to find this resource, normalised, one line per source.

    Reads only model fields, so a migration can call it with historical models."""
    parts = [resource.name, resource.name_kana, resource.address, resource.office_number]
    if resource.organization_id:
        parts += [resource.organization.name, resource.organization.name_kana]
    if resource.municipality_id:
        parts += [resource.municipality.name, resource.municipality.name_kana]
    categories = {resource.primary_category, *resource.categories.all()}
    for category in sorted(categories, key=lambda c: c.code):
        parts += [category.name, category.name_kana, *category.aliases.splitlines()]
    parts += [feature.name for feature in resource.features.all()]
    return search_text_of(parts)


def reading_of(resource) -> str:
    """The key of よみがな順: the reading, else the name, folded like search text (katakana, NFKC)."""
    return normalize(resource.name_kana or resource.name)[:200]


def search_text_of(parts) -> str:
    """The normalised parts, each on its own line ending with a newline (see the module's docstring)."""
    return "".join(normalize(part) + "\n" for part in parts if part and part.strip())


def text_filter(query: str) -> Q:
    """A Q object that keeps the resources matching every term of the query; a term matches where any of
    its alternatives (itself, or its synonym group) does."""
    condition = Q()
    phrases = []
    for term in query_terms(query):
        words = term_alternatives(term)
        if connection.vendor != "sqlite" or min(map(len, words)) == 1:
            condition &= functools.reduce(operator.or_, map(_contains, words))
            continue
        matches = [match for match in map(_fts_match, words) if match]
        if not matches:
            return Q(pk__in=[])
        phrases.append(matches[0] if len(matches) == 1 else "(" + " OR ".join(matches) + ")")
    if phrases:
        match = " AND ".join(phrases)
        condition &= Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (match,)))
    return condition


def _contains(word) -> Q:
    """The rows whose text holds the word, without the FTS table (PostgreSQL, or 1-character words)."""
    if connection.vendor == "postgresql" and len(word) == 2:
        return Q(_bigrams_contain(word))
    return Q(search_text__contains=word)


def _fts_match(word) -> str:
    """SQLite: the FTS5 query for a word of 2+ characters; empty when no text can hold it."""
    if len(word) >= TRIGRAM:
        return _quoted(word)
    trigrams = _trigrams_starting_with(word)
    return "(" + " OR ".join(_quoted(trigram) for trigram in trigrams) + ")" if trigrams else ""


def _bigrams_contain(term):
    """PostgreSQL: resource_bigrams(search_text) @> ARRAY[term], the expression its GIN index serves."""
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.lookups import DataContains

    pairs = ArrayField(TextField())
    return DataContains(Func("search_text", function="resource_bigrams", output_field=pairs),
                        Value([term], output_field=pairs))  # fmt: skip


def _quoted(text):
    return '"{}"'.format(text.replace('"', '""'))


def _trigrams_starting_with(term):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term FROM {FTS_VOCABULARY} WHERE term >= %s AND term < %s", (term, term + LAST_CHARACTER)
        )
        return [row[0] for row in cursor.fetchall()]


SQLITE_FTS_SQL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        search_text, content='directory_resource', content_rowid='id', tokenize='trigram')""",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_VOCABULARY} USING fts5vocab({FTS_TABLE}, 'row')",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON directory_resource BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON directory_resource BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON directory_resource BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
]
POSTGRESQL_TRGM_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Serves text_filter's `contains` for terms of 3+ characters.
    "CREATE INDEX IF NOT EXISTS resource_search_trgm"
    " ON directory_resource USING gin (search_text gin_trgm_ops)",
    # Every pair of neighbouring characters of a text, for 2-character terms (GH, B型, 児発 …).
    """CREATE OR REPLACE FUNCTION resource_bigrams(text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}')
              FROM generate_series(1, char_length($1) - 1) AS i $$""",
    # Serves text_filter's _bigrams_contain.
    "CREATE INDEX IF NOT EXISTS resource_search_bigrams"
    " ON directory_resource USING gin (resource_bigrams(search_text))",
]


def ensure_search_index(using_connection=None) -> None:
    """Create the engine's index (and on SQLite the triggers that keep it in step) if missing.

    Called by a migration and after every migrate: on SQLite a later migration that rebuilds the
    directory_resource table drops its triggers, and this puts them back."""
    conn = using_connection or connection
    statements = {"sqlite": SQLITE_FTS_SQL, "postgresql": POSTGRESQL_TRGM_SQL}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_search_index(using_connection=None) -> None:
    """PostgreSQL: drop the text indexes before writing very many rows; ensure_search_index then builds
    them again in one pass, far faster than updating them row by row. (SQLite's FTS table stays.)"""
    conn = using_connection or connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS resource_search_trgm, resource_search_bigrams")


def rebuild_search_index(using_connection=None) -> None:
    """Re-read every row into the FTS table (SQLite); PostgreSQL's index needs nothing."""
    conn = using_connection or connection
    if conn.vendor == "sqlite":
        with conn.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def refresh_planner_statistics(using_connection=None) -> None:
    """ANALYZE, after bulk writes: without statistics SQLite's planner sorts whole result sets instead of
    reading the ordering indexes."""
    conn = using_connection or connection
    with conn.cursor() as cursor:
        cursor.execute("ANALYZE")
