"""Errors that are the user's to fix: the CLI prints them on one line and exits 2."""

from __future__ import annotations


class TopicsError(Exception):
    """A problem the user can fix (bad path, bad option, no usable documents).

    The message is one line that names the problem and the fix.
    """

    exit_code = 2
    #: The message is several lines on purpose (a list of problems, already made printable).
    multiline = False


class InputError(TopicsError):
    """The input folder is missing, not a folder, or holds no usable documents."""


class SettingsError(TopicsError):
    """An option or config value is invalid."""


class OutputError(TopicsError):
    """The output folder cannot be written safely."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager or ``kill`` stopping the run); handled like Ctrl-C."""

    exit_code = 143  # 128 + SIGTERM, what a shell reports for a process killed by it


def printable(text: str) -> str:
    """``text`` with control and format characters escaped (``\\x1b``, ``\\n``, ``\\u202e``).

    For names, keys and paths from config files and folders shown in messages: an escape
    sequence must not retitle the terminal, nor a newline fake an output line.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
