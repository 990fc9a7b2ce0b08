"""Execute a notebook top to bottom with nbclient (CI: python/examples/quickstart.ipynb)."""

import sys

import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "python/examples"}}).execute()
print(f"{path}: executed {sum(c.cell_type == 'code' for c in nb.cells)} code cells")
