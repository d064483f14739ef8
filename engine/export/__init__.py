"""Writers that turn a story into other formats.

`graph.py` builds a drawable StoryGraph (clusters, marks, highlighted paths); `dot.py`
writes it as Graphviz DOT and `mermaid.py` as a Mermaid flowchart. `hyosan map` picks one.
"""
