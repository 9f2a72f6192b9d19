"""Per-environment stacks. Importing this package imports the provider bindings (~21 s)."""

from stacks.chat_stack import ChatStack, build_app

__all__ = ["ChatStack", "build_app"]
