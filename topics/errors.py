"""Errors that are the user's to fix: the CLI prints them on one line and exits 2."""

from __future__ import annotations


class TopicsError(Exception):
    """A problem the user can fix (bad path, bad option, no usable documents).

    The message is one line that names the problem and the fix.
    """

    exit_code = 2


class InputError(TopicsError):
    """The input folder is missing, not a folder, or holds no usable documents."""


class SettingsError(TopicsError):
    """An option or config value is invalid."""


class OutputError(TopicsError):
    """The output folder cannot be written safely."""
