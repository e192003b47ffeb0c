"""The permissions the newsroom's roles hold on the intake desk.

The roles themselves belong to events (above this app); events registers these lists with its
roles at ready(), and this app's data migration grants them on a fresh database by group name.
"""

ANALYST_GROUP = "分析师"  # events.roles.ANALYST
CHIEF_EDITOR_GROUP = "主编"  # events.roles.CHIEF_EDITOR

ANALYST_PERMISSIONS = [
    "intake.view_feed",
    "intake.add_feed",
    "intake.change_feed",
    "intake.view_poll",
    "intake.view_story",
    "intake.change_story",
    "intake.view_entry",
    "intake.change_entry",
    "intake.view_rule",
    "intake.add_rule",
    "intake.change_rule",
    "intake.delete_rule",
]
CHIEF_EDITOR_PERMISSIONS = [*ANALYST_PERMISSIONS, "intake.delete_feed"]
