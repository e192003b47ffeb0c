"""scripts/backup.sh and scripts/restore.sh: a dump of the database and the media, restored into
an empty database, brings back the published issues and the snapshots with their files."""

import hashlib
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from events.models import Issue

from ..factories import IssueFactory, SnapshotFactory

BASE_DIR = Path(__file__).resolve().parents[2]
WARC_BYTES = b"WARC/1.1\r\nWARC-Type: response\r\n\r\n<html>OpenAI \xe5\x8f\x91\xe5\xb8\x83</html>"

FILES = ("database.dump", "media.tar.gz")

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def database_url(name: str) -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def run(script: str, *args, database: str, media_root) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BASE_DIR / "scripts" / script), *map(str, args)],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database, "MEDIA_ROOT": str(media_root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def scratch_database():
    """An empty database next to the test database, dropped afterwards."""
    name = f"aidaily_restore_{uuid.uuid4().hex[:12]}"
    admin = database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def published_issue_with_a_snapshot(postgres, media_root):
    issue = IssueFactory(
        published=True, with_conclusions=3, overview="备份与恢复<script>x</script>"
    )
    snapshot = SnapshotFactory(source__url="https://openai.com/index/backup-test")
    snapshot.warc_file.save("capture.warc", ContentFile(WARC_BYTES))
    return issue, snapshot


@pytest.fixture
def backup(published_issue_with_a_snapshot, media_root, tmp_path):
    result = run(
        "backup.sh",
        tmp_path / "backups",
        database=database_url(connection.settings_dict["NAME"]),
        media_root=media_root,
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def test_backup_restores_into_an_empty_database_with_issues_snapshots_and_files(
    published_issue_with_a_snapshot, backup, tmp_path
):
    issue, snapshot = published_issue_with_a_snapshot
    restored_media = tmp_path / "restored-media"

    with scratch_database() as restored_db:
        result = run("restore.sh", backup, database=restored_db, media_root=restored_media)
        assert result.returncode == 0, result.stderr

        with psycopg.connect(restored_db) as conn:
            issues = conn.execute(
                "SELECT date, status, overview FROM events_issue WHERE status = %s",
                [Issue.Status.PUBLISHED],
            ).fetchall()
            conclusions = conn.execute("SELECT count(*) FROM events_conclusion").fetchone()[0]
            snapshots = conn.execute(
                "SELECT s.warc_file, src.url FROM sources_snapshot s "
                "JOIN sources_source src ON src.id = s.source_id"
            ).fetchall()

    assert issues == [(issue.date, "published", "备份与恢复<script>x</script>")]
    assert conclusions == 3
    assert snapshots == [(snapshot.warc_file.name, "https://openai.com/index/backup-test")]
    assert (restored_media / snapshot.warc_file.name).read_bytes() == WARC_BYTES
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]


def test_restore_refuses_a_database_that_already_has_data(backup, tmp_path):
    live = database_url(connection.settings_dict["NAME"])

    result = run("restore.sh", backup, database=live, media_root=tmp_path / "other-media")

    assert result.returncode == 2
    assert "already has" in result.stderr and "nothing was restored" in result.stderr
    assert Issue.objects.published().count() == 1
    assert not (tmp_path / "other-media").exists()


def test_restore_refuses_a_tampered_backup_and_leaves_the_database_empty(backup, tmp_path):
    dump = backup / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-64] + b"\0" * 64)

    with scratch_database() as restored_db:
        result = run("restore.sh", backup, database=restored_db, media_root=tmp_path / "m")
        with psycopg.connect(restored_db) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]

    assert result.returncode == 2
    assert "checksums do not match" in result.stderr
    assert tables == 0


def test_restore_refuses_a_media_archive_that_escapes_the_media_root(backup, tmp_path):
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "payload").write_text("owned")
    subprocess.run(
        [
            "tar",
            "-czf",
            str(backup / "media.tar.gz"),
            "-P",
            "--transform=s,^,../../,",
            "-C",
            str(evil),
            "payload",
        ],
        check=True,
    )
    sums = [f"{hashlib.sha256((backup / n).read_bytes()).hexdigest()}  {n}" for n in FILES]
    (backup / "SHA256SUMS").write_text("\n".join(sums) + "\n")  # a consistent, forged backup

    with scratch_database() as restored_db:
        result = run("restore.sh", backup, database=restored_db, media_root=tmp_path / "m")

    assert result.returncode == 2
    assert "outside the media root" in result.stderr
    assert not (tmp_path.parent / "payload").exists()


def test_backup_refuses_a_database_url_that_is_not_postgresql(tmp_path):
    result = run("backup.sh", tmp_path, database="sqlite:////tmp/x.sqlite3", media_root=tmp_path)

    assert result.returncode == 2
    assert "postgres://" in result.stderr
