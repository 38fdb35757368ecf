"""`nicdesk export` writes a delta once the coordinator confirmed a bundle, `--full`
writes everything, `nicdesk verify` says which kind it is, and `nicdesk import` refuses a
delta whose base it lacks, saying what the site must send (exit 1, nothing changed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from nicdesk.cli.parser import main
from tests.bundle.exchange_helpers import read_records, sql_dump
from tests.bundle.test_delta import add_value
from tests.bundle.test_digest_privacy import build_network


def test_export_full_flag_verify_and_a_refused_delta(tmp_path: Path, capsys) -> None:
    coord, sites = build_network(tmp_path)
    before = tmp_path / "before.nicdesk"
    shutil.copyfile(coord, before)
    a = str(sites["A"])
    add_value(sites["A"], "2025-09-01")
    capsys.readouterr()
    assert main(["export", a, "--out", str(tmp_path / "a1.nicbundle")]) == 0
    assert "Bundle 1 written" in capsys.readouterr().out
    assert main(["import", str(coord), str(tmp_path / "a1.nicbundle")]) == 0
    assert main(["export", str(coord), "--digest", "--out", str(tmp_path / "d.nicbundle")]) == 0
    assert main(["import", a, str(tmp_path / "d.nicbundle")]) == 0
    add_value(sites["A"], "2025-10-01")
    capsys.readouterr()

    assert main(["export", a, "--out", str(tmp_path / "a2.nicbundle")]) == 0
    out = capsys.readouterr().out
    assert "Bundle 2 written" in out and "1 records changed since bundle 1" in out
    assert "--full" in out
    assert main(["verify", str(tmp_path / "a2.nicbundle"), "--key",
                 str(tmp_path / "A.pub")]) == 0
    assert "sequence 2 (changes since bundle 1 only)" in capsys.readouterr().out

    untouched = sql_dump(before)
    assert main(["import", str(before), str(tmp_path / "a2.nicbundle")]) == 1
    err = capsys.readouterr().err
    assert "has not imported bundle 1" in err and "nicdesk export WORKSPACE --out FILE --full" in err
    assert sql_dump(before) == untouched

    assert main(["export", a, "--full", "--out", str(tmp_path / "a3.nicbundle")]) == 0
    out = capsys.readouterr().out
    assert "Bundle 3 written" in out and ": 3 records" in out and "since" not in out
    manifest, records = read_records(tmp_path / "a3.nicbundle")
    assert "base_sequence" not in manifest and len(records["observation"]) == 2
    assert main(["import", str(before), str(tmp_path / "a3.nicbundle")]) == 0
