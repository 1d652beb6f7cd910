"""``topics schedule``: cron lines and systemd timers that say the same thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_main
from topics.errors import SettingsError
from topics.runs.schedule import parse_every


@pytest.mark.parametrize(
    ("every", "cron", "calendar"),
    [
        ("daily", "0 3 * * *", "*-*-* 03:00:00"),
        ("hourly", "0 * * * *", "hourly"),
        ("30 2 * * *", "30 2 * * *", "*-*-* 02:30:00"),
        ("*/15 9-17 * * 1-5", "*/15 9-17 * * 1-5", "Mon..Fri *-*-* 09..17:00/15:00"),
        ("0 6 1,15 * *", "0 6 1,15 * *", "*-*-01,15 06:00:00"),
        ("0 0 * * 0", "0 0 * * 0", "Sun *-*-* 00:00:00"),
    ],
)
def test_parse_every(every: str, cron: str, calendar: str) -> None:
    schedule = parse_every(every)
    assert (schedule.cron, schedule.on_calendar) == (cron, calendar)


@pytest.mark.parametrize(
    "every", ["weekdays", "61 * * * *", "* * *", "0 0 1 * 1", "0 0 * * 8", "*/0 * * * *"]
)
def test_bad_schedules_are_settings_errors(every: str) -> None:
    with pytest.raises(SettingsError, match="--every"):
        parse_every(every)


def test_schedule_cli_prints_cron_and_systemd_units() -> None:
    config = REPO / "examples" / "nightly.toml"
    proc = run_main("schedule", str(config), "--every", "daily")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    cron = next(line for line in out.splitlines() if line.startswith("0 3 * * *"))
    assert f"-m topics run {config}" in cron
    assert "[Service]" in out and "Type=oneshot" in out and "SuccessExitStatus=75" in out
    assert "[Timer]" in out and "OnCalendar=*-*-* 03:00:00" in out
    assert "topics-sample-nightly.timer" in out


def test_schedule_cli_bad_every_is_exit_2() -> None:
    proc = run_main("schedule", str(REPO / "examples" / "nightly.toml"), "--every", "often")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_refuses_paths_crontab_or_systemd_would_misread(tmp_path: Path) -> None:
    from topics.runs.schedule import render

    with pytest.raises(SettingsError, match="line break"):
        render(tmp_path / "nightly.toml", "news\nExecStartPre=/bin/evil", "daily")
    with pytest.raises(SettingsError, match="'%'"):
        render(tmp_path / "100%.toml", "news", "daily")
