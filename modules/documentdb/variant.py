"""What the document-store variant "documentdb" needs from the rest of an environment file:
pure, no cdktf, so the environment schema judges a file before anything is synthesized.

`documentdb_problems(...)` returns (key, message) pairs in the loader's words.
"""

from __future__ import annotations


def documentdb_problems(*, document_store: str, documentdb_block_given: bool) -> list[tuple[str, str]]:
    if document_store != "documentdb" and documentdb_block_given:
        return [
            (
                "documentdb",
                f'expected no documentdb block unless document_store = "documentdb", got document_store '
                f'"{document_store}"',
            )
        ]
    return []
