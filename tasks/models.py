"""Tasks, ranks, moves, comments, checklists, reviews and activity.

Empty until the board issue builds it (see DESIGN.md "Domain"); the app is
installed now so its migrations start in the right place in the graph.
"""
