"""modules/common/statement_ids.py: statement ids from resource names."""

from __future__ import annotations

import pytest

from modules.common.statement_ids import sid_part


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("chat-prod-kafka", "ChatProdKafka"),
        ("chat-msk-documentdb-docdb", "ChatMskDocumentdbDocdb"),
        ("chat_dev.api", "ChatDevApi"),
        ("x1-2y", "X12y"),
    ],
)
def test_names_become_letters_and_digits_with_each_word_capitalized(name, part):
    assert sid_part(name) == part
    assert part.isalnum()


def test_a_name_without_letters_or_digits_is_refused():
    with pytest.raises(ValueError) as error:
        sid_part("--")
    assert str(error.value) == "expected a name with letters or digits, got '--'"
