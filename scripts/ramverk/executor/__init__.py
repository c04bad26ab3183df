"""Starting contributor code: the sandbox (namespaces, limits, cgroups) and the ways to run code in it
(a fresh interpreter, a fork server that serves a block only where that gives the fresh answer).
The runner's workers, output capture, the code-block tests and the pytest-codeblocks plugin all start
code through this room. May import: contract."""
