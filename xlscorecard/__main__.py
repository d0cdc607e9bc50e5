"""`python -m xlscorecard`: the same commands as the `xlscorecard` console script.

Useful where pip put the console script in a folder that is not on PATH (a per-user install on
Windows, for example).
"""

from xlscorecard.cli import app

app(prog_name="xlscorecard")
