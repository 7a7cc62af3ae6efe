"""The built-in Rego policy library (data files; see README.md).

A package only so that the ``.rego`` files ship as package data and
``importlib.resources.files("policies")`` finds them in an installed wheel.
"""
