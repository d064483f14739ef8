"""The language server behind `hyosan lsp`: the compiler's diagnostics and the story's
ids, where authors write.

    project.py   a story folder as the editor sees it: its files (unsaved buffers
                 standing in for the disk), the check, the parsed trees
    index.py     every id in every file: definitions and references, with positions
    features.py  definition, references, rename, quick fixes, outline, completion
    hover.py     what a hover shows: an id's declaration, a choice's effects and reach
    server.py    the pygls server wiring the features to the protocol

Imported only by `engine.cli.lsp`, so no other command loads pygls.
"""
