"""The newsroom's roles as Django groups, and the permissions each holds.

Used by data migrations (with the historical app registry) so a fresh database has the groups,
and by the demo command. Other apps grant their own permissions to these groups the same way.
"""

ANALYST = "分析师"
CHIEF_EDITOR = "主编"

ANALYST_PERMISSIONS = [
    "events.add_issue",
    "events.change_issue",
    "events.view_issue",
    "events.submit_issue",
    "events.add_event",
    "events.change_event",
    "events.delete_event",
    "events.view_event",
    "events.add_socialsignal",
    "events.change_socialsignal",
    "events.delete_socialsignal",
    "events.view_socialsignal",
    "events.add_paper",
    "events.change_paper",
    "events.delete_paper",
    "events.view_paper",
    "events.add_citation",
    "events.change_citation",
    "events.delete_citation",
    "events.view_citation",
    "events.add_conclusion",
    "events.change_conclusion",
    "events.delete_conclusion",
    "events.view_conclusion",
    "events.add_tag",
    "events.change_tag",
    "events.view_tag",
    "events.view_transitionlog",
    "events.view_correction",
    "events.add_reviewcomment",
    "events.view_reviewcomment",
    "events.change_reviewcomment",
    "sources.add_source",
    "sources.change_source",
    "sources.view_source",
    "sources.view_snapshot",
    "verification.verify_item",
    "verification.view_verificationlog",
]

CHIEF_EDITOR_PERMISSIONS = [
    *ANALYST_PERMISSIONS,
    "events.delete_issue",
    "events.request_changes_issue",
    "events.approve_issue",
    "events.publish_issue",
    "events.withdraw_issue",
    "events.correct_issue",
    "events.add_correction",
    "events.delete_tag",
]

#: Granted by a later migration than the lists above (0002_roles runs before these models exist).
CHIEF_EDITOR_LATER_PERMISSIONS = [
    "verification.change_sourcechangealert",
]


def grant(apps, group_name: str, permissions: list[str]) -> None:
    """Give the group these "app_label.codename" permissions, creating what is missing."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        # Permissions are normally created after migrate; a data migration needs them now.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group, _ = Group.objects.get_or_create(name=group_name)
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


#: Permissions that apps above events give to the roles (newsletter registers its own here from
#: its AppConfig.ready), so ensure_roles() can restore them without events importing those apps.
REGISTERED_PERMISSIONS: dict[str, list[str]] = {ANALYST: [], CHIEF_EDITOR: []}


def register(group_name: str, permissions: list[str]) -> None:
    """Let an app above events add permissions that ensure_roles() grants too."""
    REGISTERED_PERMISSIONS[group_name] += [
        p for p in permissions if p not in REGISTERED_PERMISSIONS[group_name]
    ]


def ensure_roles() -> None:
    """Create both groups with their permissions if missing (after a flush, or for the demo)."""
    from django.apps import apps

    grant(apps, ANALYST, ANALYST_PERMISSIONS + REGISTERED_PERMISSIONS[ANALYST])
    grant(
        apps,
        CHIEF_EDITOR,
        CHIEF_EDITOR_PERMISSIONS
        + CHIEF_EDITOR_LATER_PERMISSIONS
        + REGISTERED_PERMISSIONS[CHIEF_EDITOR],
    )
