"""``topics schedule``: a crontab line and a systemd service + timer for a config.

Nothing is installed; the user copies what fits. Both call ``topics run`` with absolute
paths, and the systemd unit treats exit code 75 (another run still going) as success.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from topics.errors import SettingsError
from topics.store.output import slug

#: ``--every`` words and their cron expressions / systemd OnCalendar values.
NAMED = {
    "hourly": ("0 * * * *", "hourly"),
    "daily": ("0 3 * * *", "*-*-* 03:00:00"),
    "weekly": ("0 3 * * 1", "Mon *-*-* 03:00:00"),
}
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12))
_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_TERM = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


@dataclass(frozen=True)
class Schedule:
    cron: str
    on_calendar: str


def parse_every(every: str) -> Schedule:
    """``daily``, ``hourly``, ``weekly`` or a five-field cron expression."""
    every = every.strip()
    if every in NAMED:
        return Schedule(*NAMED[every])
    fields = every.split()
    if len(fields) != 5:
        raise SettingsError(
            f"--every must be daily, hourly, weekly or a 5-field cron expression "
            f"('m h dom mon dow'), got {every!r}"
        )
    parts = [_field(f, *spec) for f, spec in zip(fields[:4], _FIELDS, strict=True)]
    if fields[2] != "*" and fields[4] != "*":
        # cron ORs day-of-month and day-of-week; systemd ANDs them.
        raise SettingsError(
            "--every: a cron expression restricting both day of month and day of week "
            "has no systemd equivalent; restrict one of them"
        )
    dow = _weekdays(fields[4])
    minute, hour, dom, month = parts
    calendar = f"{dow + ' ' if dow else ''}*-{month}-{dom} {hour}:{minute}:00"
    return Schedule(" ".join(fields), calendar)


def _field(text: str, name: str, low: int, high: int) -> str:
    """One cron field as a systemd calendar component, checking its range."""
    out = []
    for term in text.split(","):
        match = _TERM.match(term)
        if not match:
            raise SettingsError(f"--every: cannot read the {name} field {text!r}")
        span, step = match.groups()
        if span == "*":
            lo, hi = low, high
            base = "*" if step is None else f"{low:02d}"
        else:
            lo_text, _, hi_text = span.partition("-")
            lo, hi = int(lo_text), int(hi_text or lo_text)
            base = f"{lo:02d}" if not hi_text else f"{lo:02d}..{hi:02d}"
        if not low <= lo <= hi <= high:
            raise SettingsError(f"--every: the {name} field must lie in {low}-{high}, got {term!r}")
        if step is not None:
            if int(step) < 1:
                raise SettingsError(f"--every: a step must be >= 1, got {term!r}")
            if "-" in span:
                raise SettingsError(f"--every: write the {name} range {term!r} as a list")
            base += f"/{int(step)}"
        out.append(base)
    return ",".join(out)


def _weekdays(text: str) -> str:
    if text == "*":
        return ""
    days = []
    for term in text.split(","):
        lo, _, hi = term.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise SettingsError(f"--every: cannot read the day of week field {text!r}")
        a, b = int(lo), int(hi or lo)
        if not 0 <= a <= b <= 7:
            raise SettingsError(f"--every: days of week lie in 0-7, got {term!r}")
        names = [_DAYS[d % 7] for d in range(a, b + 1)]
        days.append(names[0] if a == b else f"{names[0]}..{names[-1]}")
    return ",".join(days)


def render(config_path: Path, name: str, every: str, *, python: str | None = None) -> str:
    """The crontab line and the two systemd units, ready to copy."""
    schedule = parse_every(every)
    config_path = config_path.resolve()
    for what, value in (("config path", str(config_path)), ("name", name)):
        # crontab reads % as a newline and systemd as a specifier; a newline would add
        # lines to the unit. Refuse rather than emit a line that runs something else.
        if any(ch in value for ch in "%\n\r"):
            raise SettingsError(
                f"the {what} {value!r} contains '%' or a line break, which crontab and "
                "systemd would misread; rename it"
            )
    python = python or sys.executable
    command = shlex.join([python, "-m", "topics", "run", str(config_path), "-q"])
    unit = f"topics-{slug(name)}"
    workdir = shlex.quote(str(config_path.parent))
    return f"""\
# crontab line (crontab -e); exit code 75 means the previous run was still going
{schedule.cron} cd {workdir} && {command}

# systemd: ~/.config/systemd/user/{unit}.service
[Unit]
Description=topics scheduled run: {name}

[Service]
Type=oneshot
WorkingDirectory={config_path.parent}
ExecStart={command}
# 75: another run of this name holds the lock; not a failure
SuccessExitStatus=75

# systemd: ~/.config/systemd/user/{unit}.timer
[Unit]
Description=topics scheduled run: {name} ({every})

[Timer]
OnCalendar={schedule.on_calendar}
Persistent=true

[Install]
WantedBy=timers.target

# enable with: systemctl --user daemon-reload && systemctl --user enable --now {unit}.timer
"""
