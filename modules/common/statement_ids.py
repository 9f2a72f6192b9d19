"""IAM statement ids made from resource names (pure Python).

A `grant_*` method names its statements after the resource it grants ("ReadChatProdDocdb
MasterSecret"), so a role holding grants from several resources keeps distinct Sids and a
reviewer sees whose statement each is. Sids take letters and digits only.
"""

from __future__ import annotations

import re


def sid_part(name: str) -> str:
    """ "chat-prod-kafka" -> "ChatProdKafka"; any run of other characters separates words."""
    part = "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", name) if word)
    if not part:
        raise ValueError(f"expected a name with letters or digits, got {name!r}")
    return part
