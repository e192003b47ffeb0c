"""The UI reads in Chinese by default and in English on request; the English catalog is complete."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ..factories import ChiefEditorFactory, IssueFactory, publishable_issue

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
CODE_DIRS = (
    "aidaily",
    "events",
    "newsletter",
    "sources",
    "verification",
    "intake",
    "channels",
    "editions",
)
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
CONTEXT_CALLS = {"pgettext", "pgettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\{\s*[\w.]+\s*\}\}")
TEMPLATE_LITERAL = re.compile(
    r"{%\s*(?:translate|trans)\s+(\"[^\"]*\"|'[^']*')(?:\s+as\s+\w+)?\s*%}"
)


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request in English leaves English active in this thread; later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- a small .po reader: polib would be one more dependency for one test file -------------------


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr / msgstr[n], flags; header skipped."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if isinstance(field, int):
                entry["msgstr"][field] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            keyword, _space, value = line.partition(" ")
            index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if index:
                field = int(index.group(1))
                entry["msgstr"][field] = _unquote(value)
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = _unquote(value)
            else:
                field = keyword
                entry[keyword] = _unquote(value)
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[dict]:
    return read_po(PO_PATH)


def test_english_catalog_has_no_untranslated_fuzzy_or_obsolete_entries(catalog):
    assert len(catalog) > 500  # the whole UI, not a stub
    untranslated = [e["msgid"] for e in catalog if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in catalog if "fuzzy" in e["flags"]]
    obsolete = [e["msgid"] for e in catalog if e.get("obsolete")]
    plural_short = [e["msgid"] for e in catalog if "msgid_plural" in e and len(e["msgstr"]) != 2]
    assert (untranslated, fuzzy, obsolete, plural_short) == ([], [], [], [])


def test_english_translations_keep_every_placeholder_and_contain_no_chinese(catalog):
    broken, still_chinese = [], []
    for entry in catalog:
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            if sorted(PLACEHOLDER.findall(text)) != expected:
                broken.append((entry["msgid"], text))
            # Example search words stay Chinese on purpose: readers search Chinese content.
            if re.search(r"[\u4e00-\u9fff]", text.replace("算力", "")):
                still_chinese.append(text)
    assert broken == []
    assert still_chinese == []


def test_compiled_catalog_is_committed_and_matches_the_po(catalog):
    """A fresh machine may lack gettext tools: the .mo in git must say what the .po says."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalog:
        if "msgid_plural" in entry:
            for n, index in ((1, 0), (2, 1)):
                got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                if got != entry["msgstr"][index]:
                    stale.append(entry["msgid"])
        elif "msgctxt" in entry:
            if compiled.pgettext(entry["msgctxt"], entry["msgid"]) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], "run `make messages` and commit locale/en/LC_MESSAGES/django.mo"


def _literal_msgids() -> set[str]:
    """Literal msgids in the code: gettext calls in Python, {% translate "…" %} in templates."""
    found = set()
    for folder in CODE_DIRS:
        for path in (BASE_DIR / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(getattr(node, "func", None), "id", None) or getattr(
                    getattr(node, "func", None), "attr", None
                )
                if isinstance(node, ast.Call) and name in GETTEXT_CALLS and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        found.add(first.value)
                if isinstance(node, ast.Call) and name in CONTEXT_CALLS and len(node.args) > 1:
                    context, message = node.args[0], node.args[1]
                    if all(isinstance(a, ast.Constant) for a in (context, message)):
                        found.add((context.value, message.value))
    templates = [BASE_DIR / "templates", *(BASE_DIR / d for d in CODE_DIRS)]
    for root in templates:
        for path in root.rglob("*.html"):
            for literal in TEMPLATE_LITERAL.findall(path.read_text(encoding="utf-8")):
                found.add(_unquote(literal))
    return {key for key in found if re.search(r"[\u4e00-\u9fff]", str(key))}


def test_every_chinese_string_in_the_code_has_an_english_translation(catalog):
    """A string added without `make messages` and a translation would show up in Chinese."""
    translated = {
        (e["msgctxt"], e["msgid"]) if "msgctxt" in e else e["msgid"]
        for e in catalog
        if all(e["msgstr"].values())
    }
    missing = sorted(_literal_msgids() - translated, key=str)
    assert missing == [], "run `make messages`, translate the new entries, run it again"


def test_gettext_is_only_imported_under_names_makemessages_extracts():
    """makemessages knows _, gettext, gettext_lazy…; a string behind another alias is lost."""
    extracted = GETTEXT_CALLS | {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
    extracted |= {"gettext_noop"}
    hidden = []
    for folder in CODE_DIRS:
        for path in (BASE_DIR / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                    for alias in node.names:
                        name = alias.asname or alias.name
                        if "gettext" in alias.name and name not in extracted:
                            hidden.append(f"{path.relative_to(BASE_DIR)}: {name}")
    assert hidden == []


# --- pages ------------------------------------------------------------------------------------


def _admin_issue_page(client, issue, **headers):
    editor = ChiefEditorFactory()
    client.force_login(editor)
    response = client.get(reverse("admin:events_issue_change", args=[issue.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_admin_issue_page_is_in_chinese_by_default(client):
    page = _admin_issue_page(client, publishable_issue())
    for label in ("审核流程", "提交审核", "草稿", "今日总览", "商业与应用解读", "流程记录"):
        assert label in page
    assert "Submit for review" not in page
    assert 'lang="zh-hans"' in page


@pytest.mark.django_db
def test_admin_issue_page_is_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _admin_issue_page(client, publishable_issue())
    for label in ("Workflow", "Submit for review", "Draft", "Overview", "Business analysis"):
        assert label in page
    assert "Workflow log" in page
    for chinese in ("审核流程", "提交审核", "今日总览", "流程记录", "保存"):
        assert chinese not in page
    assert 'lang="en"' in page


@pytest.mark.django_db
def test_admin_issue_page_follows_the_browser_language(client):
    page = _admin_issue_page(client, publishable_issue(), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert "Submit for review" in page
    assert "提交审核" not in page


@pytest.mark.django_db
def test_public_issue_page_chrome_follows_the_reader_language_and_content_stays_chinese(client):
    issue = publishable_issue(published=True)
    url = issue.get_absolute_url()

    chinese = client.get(url).content.decode()
    assert "最新一期" in chinese
    assert "搜索往期日报" in chinese
    assert "Latest issue" not in chinese

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Latest issue" in english
    assert "Search past issues" in english
    assert "Skip to content" in english
    assert "最新一期" not in english
    # The issue is written in Chinese: its text and section headings stay as written.
    assert "今天的主线是算力与资本。" in english
    assert "今日总览" in english

    # The English page is cached; a Chinese reader right after must not be served it.
    again = client.get(url).content.decode()
    assert "最新一期" in again
    assert "Latest issue" not in again


@pytest.mark.django_db
def test_archive_counts_issues_with_english_plurals(client):
    IssueFactory(published=True)
    one = client.get(reverse("events:archive"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 issue" in one
    assert "1 issues" not in one
    IssueFactory(published=True)
    two = client.get(reverse("events:archive"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 issues" in two


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_returns_to_the_page(client):
    issue = publishable_issue(published=True)
    url = issue.get_absolute_url()
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Latest issue" in client.get(url).content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert "最新一期" in client.get(url).content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_an_offsite_redirect_and_an_unknown_language(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]

    client.cookies.clear()
    client.post(reverse("set_language"), {"language": "<script>alert(1)</script>", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    page = client.get(reverse("events:archive")).content.decode()
    assert "往期日报" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ['"><script>alert(1)</script>', "xx-YY;q=abc", "en;q=" + "9" * 5000, "*;q=0.1," * 300],
)
def test_a_malformed_accept_language_falls_back_to_chinese(client, header):
    response = client.get(reverse("events:archive"), HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    page = response.content.decode()
    assert "往期日报" in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_a_forged_language_cookie_is_ignored(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "../../etc/passwd"
    response = client.get(reverse("events:archive"))
    assert response.status_code == 200
    assert "往期日报" in response.content.decode()


@pytest.mark.django_db
def test_every_public_page_offers_the_other_language_and_the_switch_needs_no_token():
    from django.test import Client

    issue = publishable_issue(published=True)
    url = issue.get_absolute_url()
    reader = Client(enforce_csrf_checks=True)  # as a browser: the cached page carries no token

    page = reader.get(url).content.decode()
    assert 'name="language" value="en"' in page and "csrfmiddlewaretoken" not in page
    assert f'name="next" value="{url}"' in page

    response = reader.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    english = reader.get(url).content.decode()
    assert 'name="language" value="zh-hans"' in english and "简体中文" in english


@pytest.mark.django_db
def test_the_switch_escapes_the_address_it_returns_to(client):
    page = client.get(reverse("events:search"), {"q": '"><script>alert(1)</script>'})
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'name="next" value="/search/?q=%22%3E%3Cscript%3E' in html


@pytest.mark.django_db
def test_the_admin_offers_the_language_switch_too(analyst_client):
    page = analyst_client.get(reverse("admin:index")).content.decode()
    assert 'name="language" value="en"' in page
    english = analyst_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="language" value="zh-hans"' in english.content.decode()


@pytest.mark.django_db
def test_english_admin_lists_have_plural_headings(editor_client):
    page = editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for heading in ("Issues", "Top events", "Sources", "Snapshots", "Subscribers"):
        assert f">{heading}<" in page
    chinese = editor_client.get(reverse("admin:index")).content.decode()
    assert ">日报<" in chinese and ">来源<" in chinese


@pytest.mark.django_db
def test_a_chinese_word_that_is_both_a_status_and_a_button_reads_right_in_english(client):
    from events.models import Issue

    page = _admin_issue_page(
        client, publishable_issue(status=Issue.Status.APPROVED), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Schedule publication" in page  # the button; the status it leads to is "Scheduled"
    item = publishable_issue().events.get()
    item.verification_status = "unverified"
    item.save()
    editor_page = client.get(
        reverse("admin:events_event_change", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert ">Verify<" in editor_page
