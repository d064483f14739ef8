"""Writers that turn a story into other formats.

`graph.py` builds a drawable StoryGraph (clusters, human titles, marks, highlighted paths,
the shares of simulated players on the edges, the legend); `dot.py` writes it as
Graphviz DOT, `mermaid.py` as a Mermaid flowchart and `svg.py` as SVG with a layout of
its own (for machines without Graphviz). `hyosan map` picks one.
"""
