"""The run lock per (store, site), on both engines: two sites at once, one site once."""

from __future__ import annotations

import os

import pytest

from newsbot.store import StoreLocked, open_store


def test_two_sites_hold_their_run_locks_at_once_in_one_store(store_target):
    first, second = open_store(store_target), open_store(store_target)
    try:
        with first.run_lock("baohaiduong"), second.run_lock("onecms"):
            first.start_run("r-a", "baohaiduong", {})
            second.start_run("r-b", "onecms", {})
            first.finish_run("r-a", "finished", {}, {}, {}, [])
            second.finish_run("r-b", "finished", {}, {}, {}, [])
        assert first.last_run(site="baohaiduong")["run_id"] == "r-a"
        assert first.last_run(site="onecms")["run_id"] == "r-b"
        assert first.run_sites() == ["baohaiduong", "onecms"]
    finally:
        first.close()
        second.close()


def test_one_site_cannot_run_twice(store_target):
    first, second = open_store(store_target), open_store(store_target)
    try:
        with first.run_lock("baohaiduong"):
            with pytest.raises(StoreLocked, match="for site baohaiduong"):
                with second.run_lock("baohaiduong"):
                    pass
        with second.run_lock("baohaiduong"):  # released with the first holder
            pass
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("held_first", ["store-wide", "site"])
def test_a_store_wide_run_excludes_every_site_run(store_target, held_first):
    first, second = open_store(store_target), open_store(store_target)
    try:
        if held_first == "store-wide":
            holder, wanted = first.run_lock(), lambda: second.run_lock("baohaiduong")
        else:
            holder, wanted = first.run_lock("baohaiduong"), lambda: second.run_lock()
        with holder:
            with pytest.raises(StoreLocked, match="another newsbot run holds the store lock"):
                with wanted():
                    pass
    finally:
        first.close()
        second.close()


def test_finding_10_a_symlink_to_the_store_takes_the_same_lock(tmp_path):
    real = tmp_path / "data" / "newsbot.db"
    open_store(real).close()
    link = tmp_path / "elsewhere.db"
    os.symlink(real, link)
    via_real, via_link = open_store(real), open_store(link)
    try:
        with via_real.run_lock("baohaiduong"):
            with pytest.raises(StoreLocked):
                with via_link.run_lock("baohaiduong"):
                    pass
        with via_link.run_lock():
            with pytest.raises(StoreLocked):
                with via_real.run_lock("baohaiduong"):
                    pass
    finally:
        via_real.close()
        via_link.close()
