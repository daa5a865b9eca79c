"""Contract-testing helpers shared by the test suites and the command line.

Needs the ``contract`` extra (``pip install tajo-brevo[contract]``).
"""
