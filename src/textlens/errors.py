"""Errors textlens raises on purpose.

Every failure a user can cause (a bad file, a missing model package, a bad parameter) is one of
these, with a message that names the input and the reason, so the CLI and the service can show
it without a stack trace.
"""

from __future__ import annotations


class TextlensError(Exception):
    """Base class: a failure with a message meant for the user."""


class InputError(TextlensError):
    """An input could not be read: unknown format, corrupt, empty, too large."""


class ModelError(TextlensError):
    """A model could not be found, verified or loaded."""


class ConfigError(TextlensError):
    """A parameter or configuration file is invalid."""
