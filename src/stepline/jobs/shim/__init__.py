"""Modules that job scripts import by their AWS names (``awsglue``).

The launcher puts this directory first on the job process's ``sys.path``; nothing here is
importable as ``awsglue`` anywhere else.
"""
