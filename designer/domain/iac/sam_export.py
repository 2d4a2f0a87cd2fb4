"""``to_sam(diagram)``: one AWS SAM template (YAML) for a diagram.

Each node the catalog can deploy becomes its resource, logical id the CamelCase of the node id; each edge becomes
what makes it real (an event source, a subscription, a rule, an integration, a Task state, a redrive policy, a
destination) and the least-privilege permission it needs (:mod:`designer.domain.iac.export_links`). Nodes with no
CloudFormation counterpart (clients, external APIs, legacy systems, and services that need networking or images
the diagram does not describe) and edges a template cannot show are kept in ``Metadata.Archlab``, with the exact
node ids and labels, so that ``from_template`` gives the diagram back. Where a deployable template must depart
from the diagram (a queue hiding messages for less time than its consumer may run), ``Metadata.Archlab.adjustments``
says so. The output is deterministic.
"""

from __future__ import annotations

from designer.domain.catalog import Catalog, load_catalog
from designer.domain.diagram import Diagram
from designer.domain.iac.cfn_yaml import dump_template
from designer.domain.iac.export_links import render_edges
from designer.domain.iac.export_nodes import render_nodes
from designer.domain.iac.exporter import Exporter

__all__ = ["to_sam"]


def to_sam(diagram: Diagram, catalog: Catalog | None = None) -> str:
    """The SAM template of ``diagram`` as YAML text."""
    exporter = Exporter(diagram, catalog or load_catalog())
    render_nodes(exporter)
    render_edges(exporter)
    return dump_template(exporter.template())
