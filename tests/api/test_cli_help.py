"""Every command's ``--help``: it renders, shows every option's default, and has no markup artefacts."""

from __future__ import annotations

import re

import pytest
from cli_commands import COMMAND_PATHS, command_at
from typer.testing import CliRunner

from greenproof.api.cli import app

runner = CliRunner()
#: Options every command has, whose help needs no default.
BUILT_IN = {"help", "version"}


def _help(path: tuple[str, ...]) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_help_renders_without_artefacts(path: tuple[str, ...]) -> None:
    text = _help(path)
    assert "Usage:" in text
    # A "[default: …]" written inside a help string is eaten as markup and leaves "URL ." behind.
    assert not re.search(r"\w \.(\s|$)", text), text
    assert "<" + "batch" not in text and "a auditor" not in text


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_option_shows_its_default(path: tuple[str, ...]) -> None:
    options = [p for p in getattr(command_at(path), "params", []) if p.param_type_name == "option"
               and p.name not in BUILT_IN]
    text = " ".join(_help(path).split())
    for option in options:
        shown = option.required or isinstance(option.show_default, str) or (
            option.show_default is not False and option.default is not None)
        assert shown, f"{' '.join(path)} {option.opts[0]} shows no default"
    assert text.count("[default:") + text.count("[required]") >= len(options)


def test_help_shows_the_documented_defaults() -> None:
    text = " ".join(_help(("attribute",)).split())
    assert "[default: 20250101]" in text  # --seed
    assert "[default: anchor]" in text  # --mode
    assert "sqlite:///greenproof-data/ledger.sqlite" in text  # --database-url, from the settings' precedence
    keep = " ".join(_help(("demo",)).split())
    assert "[default: no-keep]" in keep and "[default: 8545]" in keep


def test_embedded_mwh_is_documented_as_positive() -> None:
    text = " ".join(_help(("retire",)).split())
    assert "MWh, > 0" in text
    assert "x>=0" not in text  # 0 is refused: the help must not offer it


def test_simulate_help_names_the_offshore_wind_farms() -> None:
    text = " ".join(_help(("simulate",)).split())
    assert "offshore wind farms H1, H2 and H3" in text
