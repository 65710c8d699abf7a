"""newsweave's tests.

The package sets one BLAS / OpenMP thread per test process before numpy or spaCy load
(conftest.py is imported after this file): `pytest -n 2` already runs a process per core, and
each one's OpenBLAS would start a thread per core and spin against the other's.
Measured on this 2-core machine: the summaries and who-says-what floors together took 97 s at
-n 2 with the default threads and 44 s with one. Processes the tests start (the CLI, workers)
inherit the variables.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
