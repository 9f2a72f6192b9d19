"""Architecture diagrams from synthesized stacks: build_diagram (JSON -> plain-data model), render_dot (model -> DOT).

Run `python -m diagram --help`; see README.md.
"""

from diagram.build import build_diagram
from diagram.dot import render_dot

__all__ = ["build_diagram", "render_dot"]
