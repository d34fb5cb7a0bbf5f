"""backup_db and restore_db on a real SQLite file, as they run beside the site."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from .helpers import manage, production_env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated database with the demo content, made once and copied per test."""
    path = tmp_path_factory.mktemp("template") / "site.sqlite3"
    env = site_env(path)
    for args in (["migrate", "--noinput"], ["load_demo"]):
        result = manage(*args, env=env)
        assert result.returncode == 0, result.stderr
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    return path


def site_env(path):
    env = production_env(DATABASE_URL=f"sqlite:///{path}")
    env.pop("CACHE_URL", None)
    return env


@pytest.fixture
def site(migrated, tmp_path):
    path = tmp_path / "site.sqlite3"
    shutil.copy(migrated, path)
    return path


def titles(path):
    connection = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in connection.execute("SELECT title FROM articles_post"))
    finally:
        connection.close()


def backup(site, folder):
    result = manage("backup_db", "--output-dir", str(folder), env=site_env(site))
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def test_backup_then_restore_brings_the_data_back(site, tmp_path):
    before = titles(site)
    assert "Glutamine and Gut Health" in before
    copy = backup(site, tmp_path / "backups")
    assert copy.parent == tmp_path / "backups"
    assert copy.name.startswith("site-") and copy.suffix == ".sqlite3"
    assert titles(copy) == before

    with sqlite3.connect(site) as connection:
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("DELETE FROM articles_reference")
        connection.execute("DELETE FROM articles_postdisclaimer")
        connection.execute("DELETE FROM articles_post")
    assert titles(site) == []

    result = manage("restore_db", str(copy), "--yes", env=site_env(site))
    assert result.returncode == 0, result.stderr
    assert titles(site) == before
    with sqlite3.connect(site) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The site can use it at once: Django reads the restored posts.
    code = "from articles.models import Post; print(Post.objects.count())"
    shell = manage("shell", "-c", code, env=site_env(site))
    assert shell.stdout.split()[-1] == str(len(before))


def test_restore_asks_for_confirmation_and_changes_nothing_without_it(site, tmp_path):
    copy = backup(site, tmp_path / "backups")
    with sqlite3.connect(site) as connection:
        connection.execute("UPDATE articles_post SET title = 'Changed since the backup'")
    result = manage("restore_db", str(copy), env=site_env(site))
    assert result.returncode != 0
    assert "--yes" in result.stderr
    assert set(titles(site)) == {"Changed since the backup"}


def test_restore_refuses_a_file_that_is_not_a_glutablog_backup(site, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = manage("restore_db", str(junk), "--yes", env=site_env(site))
    assert result.returncode != 0
    assert "not a readable SQLite database" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Glutamine and Gut Health" in titles(site)


def test_backup_works_while_another_connection_holds_a_write_transaction(site, tmp_path):
    committed = titles(site)
    writer = sqlite3.connect(site, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE articles_post SET title = 'Not committed yet'")
        copy = backup(site, tmp_path / "backups")  # does not wait for the writer
        writer.execute("COMMIT")
    finally:
        writer.close()
    # The backup is the last committed state: consistent, without the open write.
    assert titles(copy) == committed
    assert set(titles(site)) == {"Not committed yet"}
    check = sqlite3.connect(copy)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        check.close()


def test_backup_of_postgresql_points_at_pg_dump():
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:9/glutablog")
    result = manage("backup_db", env=env)
    assert result.returncode != 0
    assert "pg_dump" in result.stderr
