"""Infrastructure as code: diagrams to AWS SAM templates and back.

``to_sam(diagram)`` writes one SAM template (YAML) for a diagram; ``from_template(text)`` reads a SAM or
CloudFormation template (YAML or JSON) into an :class:`ImportResult`: the diagram and a note for every resource
it left out or read only for connections. Malformed templates raise
:class:`~designer.domain.diagram.DiagramError` with the line and column where the reader stopped.
"""

from __future__ import annotations

from designer.domain.iac.names import logical_id, node_id
from designer.domain.iac.sam_export import to_sam
from designer.domain.iac.sam_import import ImportNote, ImportResult, from_template, from_templates, looks_like_template

__all__ = [
    "ImportNote",
    "ImportResult",
    "from_template",
    "from_templates",
    "logical_id",
    "looks_like_template",
    "node_id",
    "to_sam",
]
